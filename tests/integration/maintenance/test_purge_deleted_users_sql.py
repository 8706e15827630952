"""PurgeDeletedUsers on real PostgreSQL and Redis: users deleted longer ago than the retention go for good — with
their tokens, out of the cache — while everything that names them stays with the bare id (audit entries, jobs, API
clients, delivery records without the address); batches, and two runs at once purging each user exactly once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from maintenance_support import (
    PASSWORD,
    add_job,
    days_ago,
    delete,
    execute,
    new_tenant,
    new_user,
    provided,
    rows,
    user_ids,
)
from sqlalchemy import func, insert, select

from keel.application.auth import LoginCommand, RequestPasswordResetCommand
from keel.application.jobs import JobStatus
from keel.application.maintenance import PurgeDeletedUsers
from keel.container import Container, build_container, running
from keel.domain.ids import uuid7
from keel.infrastructure.database.models import audit_events_table
from keel.infrastructure.database.models.api_clients import api_clients_table
from keel.infrastructure.database.models.email_deliveries import email_deliveries_table
from keel.infrastructure.database.models.jobs import jobs_table
from keel.infrastructure.database.models.one_time_tokens import one_time_tokens_table
from keel.infrastructure.database.models.refresh_tokens import refresh_tokens_table
from keel.settings import Settings

pytestmark = pytest.mark.integration

RETENTION = timedelta(days=30)


@pytest.fixture
async def container(settings: Settings) -> AsyncIterator[Container]:
    container = build_container(settings)
    async with running(container):
        yield container


async def purger(container: Container, batch_size: int = 100) -> PurgeDeletedUsers:
    uow = await provided(container.uow_factory)
    return PurgeDeletedUsers(uow, container.clock(), retention=RETENTION, batch_size=batch_size)


async def audit_actions(container: Container, entity_id: object) -> list[tuple[str, str]]:
    statement = (
        select(audit_events_table.c.action, audit_events_table.c.actor_kind)
        .where(audit_events_table.c.entity_id == entity_id)
        .order_by(audit_events_table.c.id)
    )
    return [(row.action, row.actor_kind) for row in await rows(container, statement)]


async def test_users_past_the_retention_go_and_what_names_them_stays(container: Container) -> None:
    acme = await new_tenant(container)
    now = container.clock().now()
    ann, bob, cid = [await new_user(container, acme, name) for name in ("ann", "bob", "cid")]
    login = await provided(container.login)
    await login(LoginCommand(tenant_slug="acme", email="ann@acme.example", password=PASSWORD))
    reset = await provided(container.request_password_reset)
    await reset(RequestPasswordResetCommand(tenant_slug="acme", email="ann@acme.example"))
    message_id, job_id, client_id = (
        uuid7(),
        await add_job(container, acme, JobStatus.SUCCEEDED, created_at=now, progress_at=now, requested_by=ann),
        uuid7(),
    )
    await execute(container, insert(email_deliveries_table).values(
        message_id=message_id, tenant_id=acme.owner.tenant_id, recipient_user_id=ann, to_address="ann@acme.example",
        template="welcome", status="queued", attempts=0, created_at=now, updated_at=now,
    ))  # fmt: skip
    await execute(container, insert(api_clients_table).values(
        id=client_id, tenant_id=acme.owner.tenant_id, name="ann's client", created_by=ann, created_at=now,
        secret_sealed=b"sealed", secret_created_at=now,
    ))  # fmt: skip
    await delete(container, acme, ann, deleted_at=days_ago(now, 31))
    await delete(container, acme, bob, deleted_at=days_ago(now, 29))

    assert await (await purger(container))() == 1

    assert await user_ids(container) == {acme.owner.user_id, bob, cid}
    for table in (refresh_tokens_table, one_time_tokens_table):
        assert await rows(container, select(func.count()).where(table.c.user_id == ann)) == [(0,)]
    # No request here: every entry is the system's. The trail before the purge stays whole, and the purge ends it.
    assert await audit_actions(container, ann) == [
        ("user.created", "system"),
        ("user.password_reset_requested", "system"),
        ("user.deleted", "system"),
        ("user.purged", "system"),
    ]
    delivery = email_deliveries_table.c
    assert await rows(
        container, select(delivery.recipient_user_id, delivery.to_address).where(delivery.message_id == message_id)
    ) == [(ann, None)]
    assert await rows(container, select(jobs_table.c.requested_by).where(jobs_table.c.id == job_id)) == [(ann,)]
    assert await rows(container, select(api_clients_table.c.created_by).where(api_clients_table.c.id == client_id)) == [
        (ann,)
    ]


async def test_a_purged_user_is_not_served_from_the_cache_afterwards(container: Container) -> None:
    acme = await new_tenant(container)
    ann = await new_user(container, acme, "ann")
    await delete(container, acme, ann, deleted_at=days_ago(container.clock().now(), 40))
    uow_factory = await provided(container.uow_factory)

    async def read() -> object:
        async with uow_factory(read_only=True) as uow:
            return await uow.users.get(acme.owner.tenant_id, ann, include_deleted=True)

    cached = await read()  # fills the cache with the deleted user
    assert cached is not None
    assert await read() == cached

    assert await (await purger(container))() == 1

    assert await read() is None


async def test_users_are_purged_in_batches_each_audited(container: Container) -> None:
    acme = await new_tenant(container)
    now = container.clock().now()
    users = [await new_user(container, acme, f"user{n}") for n in range(5)]
    for n, user in enumerate(users):
        await delete(container, acme, user, deleted_at=days_ago(now, 40 + n))

    assert await (await purger(container, batch_size=2))() == 5

    assert await user_ids(container) == {acme.owner.user_id}
    purged = audit_events_table.c
    entries = await rows(container, select(purged.entity_id).where(purged.action == "user.purged"))
    assert sorted(row.entity_id for row in entries) == sorted(users)
    assert await (await purger(container, batch_size=2))() == 0


async def test_two_runs_at_once_purge_each_user_exactly_once(container: Container) -> None:
    acme = await new_tenant(container)
    now = container.clock().now()
    users = [await new_user(container, acme, f"user{n:02d}") for n in range(12)]
    for user in users:
        await delete(container, acme, user, deleted_at=days_ago(now, 45))

    counts = await asyncio.gather((await purger(container, batch_size=3))(), (await purger(container, batch_size=3))())

    assert sum(counts) == 12
    assert await user_ids(container) == {acme.owner.user_id}
    purged = audit_events_table.c
    entries = await rows(container, select(purged.entity_id).where(purged.action == "user.purged"))
    assert sorted(row.entity_id for row in entries) == sorted(users)  # one entry each: none purged twice
