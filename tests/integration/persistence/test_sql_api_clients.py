"""API clients in PostgreSQL: mapped field by field, scoped to their tenant, locked while changed, and the per-tenant
maximum held when creations race."""

from __future__ import annotations

import asyncio
import os
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from persistence_support import MakeUow, MakeUser

from fakes.clock import FakeClock
from keel.application.api_clients import CreateApiClient, CreateApiClientCommand
from keel.application.users import Actor
from keel.domain.api_clients import MAX_ACTIVE_CLIENTS, ApiClient, ApiClientNotFound, TooManyApiClients
from keel.domain.ids import Uuid7Generator, uuid7
from keel.domain.tenants import Tenant, TenantNotFound
from keel.domain.users import Role
from keel.infrastructure.security import AesGcmSecretSealer

pytestmark = pytest.mark.integration

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def a_client(tenant: Tenant, name: str = "Partner") -> ApiClient:
    return ApiClient.register(
        id=uuid7(), tenant_id=tenant.id, name=name, created_by=uuid7(), sealed_secret=os.urandom(60), now=NOW
    )


async def test_a_client_is_stored_and_read_back_with_both_secrets(uow: MakeUow, tenant: Tenant) -> None:
    client = a_client(tenant)
    rotated = client.rotated(os.urandom(60), now=NOW + timedelta(hours=1), rollover=timedelta(days=1))
    async with uow() as work:
        await work.api_clients.add(client)
        await work.api_clients.save(rotated)
        await work.commit()
    async with uow(read_only=True) as work:
        assert await work.api_clients.get(tenant.id, client.id) == rotated
        assert await work.api_clients.get_by_id(client.id) == rotated


async def test_another_tenants_client_is_neither_read_nor_written(uow: MakeUow, tenant: Tenant) -> None:
    client = a_client(tenant)
    async with uow() as work:
        await work.api_clients.add(client)
        await work.commit()
    async with uow(read_only=True) as work:
        assert await work.api_clients.get(uuid7(), client.id) is None
    async with uow() as work:
        with pytest.raises(ApiClientNotFound):
            await work.api_clients.save(replace(client.revoked(NOW), tenant_id=uuid7()))
    async with uow(read_only=True) as work:
        stored = await work.api_clients.get(tenant.id, client.id)
    assert stored is not None
    assert not stored.is_revoked


async def test_a_client_of_a_missing_tenant_is_refused(uow: MakeUow, tenant: Tenant) -> None:
    orphan = ApiClient.register(
        id=uuid7(), tenant_id=uuid7(), name="Orphan", created_by=uuid7(), sealed_secret=b"x", now=NOW
    )
    async with uow() as work:
        with pytest.raises(TenantNotFound):
            await work.api_clients.add(orphan)


async def test_revoked_clients_are_not_listed_nor_counted(uow: MakeUow, tenant: Tenant) -> None:
    kept, revoked = a_client(tenant, "Kept"), a_client(tenant, "Revoked")
    async with uow() as work:
        await work.api_clients.add(kept)
        await work.api_clients.add(revoked)
        await work.api_clients.save(revoked.revoked(NOW))
        await work.commit()
    async with uow() as work:
        assert [client.id for client in await work.api_clients.list_active(tenant.id)] == [kept.id]
        assert await work.api_clients.count_active_locked(tenant.id) == 1


async def test_a_client_read_for_update_waits_for_the_other_writer(uow: MakeUow, tenant: Tenant) -> None:
    client = a_client(tenant)
    async with uow() as work:
        await work.api_clients.add(client)
        await work.commit()
    async with uow() as first, uow() as second:
        locked = await first.api_clients.get(tenant.id, client.id, for_update=True)
        assert locked is not None
        waiting = asyncio.create_task(second.api_clients.get(tenant.id, client.id, for_update=True))
        await asyncio.sleep(0.05)
        assert not waiting.done()
        await first.api_clients.save(locked.revoked(NOW))
        await first.commit()
        seen = await waiting
    assert seen is not None
    assert seen.is_revoked  # the second reader saw the first one's change, not what it read before


async def test_racing_creations_never_pass_the_maximum(uow: MakeUow, tenant: Tenant, make_user: MakeUser) -> None:
    owner = await make_user(tenant, "olive", roles=(Role.OWNER,))
    actor = Actor(user_id=owner.id, tenant_id=tenant.id, roles=owner.roles)
    create = CreateApiClient(uow, AesGcmSecretSealer(os.urandom(32)), FakeClock(NOW), Uuid7Generator())
    for number in range(MAX_ACTIVE_CLIENTS - 2):
        await create(CreateApiClientCommand(actor=actor, name=f"existing {number}"))
    outcomes = await asyncio.gather(
        *(create(CreateApiClientCommand(actor=actor, name=f"racer {n}")) for n in range(6)), return_exceptions=True
    )
    assert sum(not isinstance(outcome, BaseException) for outcome in outcomes) == 2
    assert all(isinstance(outcome, TooManyApiClients) for outcome in outcomes if isinstance(outcome, BaseException))
    async with uow(read_only=True) as work:
        assert len(await work.api_clients.list_active(tenant.id)) == MAX_ACTIVE_CLIENTS
