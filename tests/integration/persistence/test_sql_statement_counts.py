"""The set-based methods cost one statement whatever the number of users (counted on the engine's cursor events)."""

from __future__ import annotations

import pytest
from persistence_support import MakeUow, with_password

from factories import UserFactory
from keel.application.users import UserQuery
from keel.domain.tenants import Tenant
from keel.domain.users import MAX_BATCH_SIZE, User

pytestmark = pytest.mark.integration


def _users(tenant: Tenant, count: int) -> list[User]:
    return [UserFactory.build(tenant_id=tenant.id) for _ in range(count)]


async def test_adding_a_full_batch_is_one_insert(uow: MakeUow, tenant: Tenant, statements: list[str]) -> None:
    batch = _users(tenant, MAX_BATCH_SIZE)
    async with uow() as work:
        statements.clear()
        await work.users.add_many([with_password(user) for user in batch])
        sent = list(statements)
        await work.commit()

    assert len(sent) == 1
    assert sent[0].startswith("INSERT INTO users")
    async with uow() as work:
        assert len(await work.users.find(tenant.id, UserQuery(), limit=MAX_BATCH_SIZE + 1)) == MAX_BATCH_SIZE


async def test_checking_a_full_batch_for_taken_identities_is_one_select(
    uow: MakeUow, tenant: Tenant, statements: list[str]
) -> None:
    stored, asked = _users(tenant, 10), _users(tenant, MAX_BATCH_SIZE - 10)
    async with uow() as work:
        await work.users.add_many([with_password(user) for user in stored])
        await work.commit()

    async with uow() as work:
        statements.clear()
        taken = await work.users.existing_emails_and_usernames(
            tenant.id, [u.email for u in stored + asked], [u.username for u in stored + asked]
        )
        sent = list(statements)

    assert len(sent) == 1
    assert sent[0].startswith("SELECT")
    assert taken.emails == {user.email for user in stored}
    assert taken.usernames == {user.username for user in stored}


async def test_a_page_is_one_select(uow: MakeUow, tenant: Tenant, statements: list[str]) -> None:
    async with uow() as work:
        await work.users.add_many([with_password(user) for user in _users(tenant, 30)])
        await work.commit()

    async with uow() as work:
        statements.clear()
        page = await work.users.find(tenant.id, UserQuery(q="example", limit=20), limit=21)
        sent = list(statements)

    assert len(page) == 21
    assert len(sent) == 1
