"""Concurrent transactions on the same users: compare-and-set saves and the last-owner rule hold under races."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from persistence_support import MakeUow, MakeUser

from fakes.clock import FakeClock
from keel.application.users import Actor, UpdateUser, UpdateUserCommand
from keel.domain.errors import VersionConflict
from keel.domain.ids import uuid7
from keel.domain.tenants import Tenant
from keel.domain.users import LastOwnerRequired, Role, User, UserNotFound

pytestmark = pytest.mark.integration

NOW = datetime(2025, 6, 1, tzinfo=UTC)


async def test_two_saves_of_the_same_version_one_wins_the_other_conflicts(
    uow: MakeUow, tenant: Tenant, make_user: MakeUser
) -> None:
    await make_user(tenant, "ann")
    user = await make_user(tenant, "bob")

    async with uow() as first, uow() as second:
        mine = await first.users.get(tenant.id, user.id)
        theirs = await second.users.get(tenant.id, user.id)
        assert mine is not None
        assert theirs is not None
        mine.rename("Mine", NOW)
        theirs.rename("Theirs", NOW)
        await first.users.save(mine, expected_version=1)
        # The second UPDATE waits for the first transaction's row lock, then finds version 2: no row matches.
        late = asyncio.create_task(second.users.save(theirs, expected_version=1))
        await asyncio.sleep(0.05)
        assert not late.done()
        await first.commit()
        with pytest.raises(VersionConflict) as raised:
            await late

    assert raised.value.context == {"expected_version": 1, "current_version": 2}
    async with uow() as work:
        stored = await work.users.get(tenant.id, user.id)
    assert stored is not None
    assert (stored.full_name, stored.version) == ("Mine", 2)


async def test_saving_a_stale_version_conflicts(uow: MakeUow, tenant: Tenant, make_user: MakeUser) -> None:
    user = await make_user(tenant, "ann", version=4)
    user.rename("Stale", NOW)
    async with uow() as work:
        with pytest.raises(VersionConflict):
            await work.users.save(user, expected_version=3)


async def test_saving_a_user_that_is_gone_or_of_another_tenant_is_not_found(
    uow: MakeUow, tenant: Tenant, make_user: MakeUser
) -> None:
    user = await make_user(tenant, "ann")
    user.rename("Elsewhere", NOW)
    async with uow() as work:
        with pytest.raises(UserNotFound):
            await work.users.save(replace(user, tenant_id=uuid7()), expected_version=1)
        with pytest.raises(UserNotFound):
            await work.users.save(replace(user, id=uuid7()), expected_version=1)


async def test_counting_owners_locks_them_until_the_transaction_ends(
    uow: MakeUow, tenant: Tenant, make_user: MakeUser
) -> None:
    await make_user(tenant, "ann", roles=(Role.OWNER,))
    await make_user(tenant, "bob", roles=(Role.OWNER, Role.ADMIN))
    await make_user(tenant, "cid", roles=(Role.OWNER,), deleted_at=NOW)
    await make_user(tenant, "dee", roles=(Role.ADMIN,))

    async with uow() as first, uow() as second:
        assert await first.users.count_active_owners(tenant.id) == 2
        blocked = asyncio.create_task(second.users.count_active_owners(tenant.id))
        await asyncio.sleep(0.05)
        assert not blocked.done()
        await first.rollback()
        assert await blocked == 2


async def test_demoting_the_last_two_owners_at_once_leaves_one(
    uow: MakeUow, tenant: Tenant, make_user: MakeUser
) -> None:
    ann = await make_user(tenant, "ann", roles=(Role.OWNER,))
    bob = await make_user(tenant, "bob", roles=(Role.OWNER,))
    update = UpdateUser(uow, FakeClock())

    def demote(user: User) -> UpdateUserCommand:
        actor = Actor(user_id=user.id, tenant_id=tenant.id, roles=frozenset({Role.OWNER}))
        return UpdateUserCommand(actor=actor, user_id=user.id, roles=[Role.MEMBER])

    results = await asyncio.gather(update(demote(ann)), update(demote(bob)), return_exceptions=True)

    assert sorted(type(result).__name__ for result in results) == ["LastOwnerRequired", "User"]
    assert any(isinstance(result, LastOwnerRequired) for result in results)
    async with uow() as work:
        assert await work.users.count_active_owners(tenant.id) == 1
