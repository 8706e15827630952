"""The outbox on PostgreSQL, written by the unit of work: one row per created user, committed with the users or not at
all, in a bounded number of statements whatever the batch size."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from outbox_support import MakeUow, outbox_rows
from sqlalchemy.ext.asyncio import AsyncEngine

from factories import TenantFactory, UserFactory
from fakes.clock import FakeClock
from fakes.passwords import FakePasswordHasher, fake_hash
from keel.application.outbox import email_request_from_payload
from keel.application.users import (
    Actor,
    CreateUser,
    CreateUserCommand,
    CreateUsersBatch,
    CreateUsersBatchCommand,
    NewUser,
)
from keel.domain.ids import Uuid7Generator
from keel.domain.tenants import Tenant
from keel.domain.users import MAX_BATCH_SIZE, EmailAlreadyUsed, Role, UserCredentials

pytestmark = pytest.mark.integration

PASSWORD = "correct horse battery staple"


@pytest.fixture
async def owner(uow: MakeUow) -> Actor:
    tenant: Tenant = TenantFactory.build()
    user = UserFactory.build(tenant_id=tenant.id, roles=frozenset({Role.OWNER}))
    async with uow() as work:
        await work.tenants.add(tenant)
        await work.users.add(UserCredentials(user, fake_hash(PASSWORD)))
        await work.commit()
    return Actor(user_id=user.id, tenant_id=tenant.id, roles=user.roles)


def new_user(name: str) -> NewUser:
    return NewUser(email=f"{name}@example.com", username=name, password=PASSWORD)


async def test_a_committed_user_has_exactly_one_welcome_row(uow: MakeUow, engine: AsyncEngine, owner: Actor) -> None:
    before = len(await outbox_rows(engine))  # the owner's own row
    clock = FakeClock(datetime(2025, 5, 4, 3, 2, 1, tzinfo=UTC))

    user = await CreateUser(uow, FakePasswordHasher(), clock, Uuid7Generator())(
        CreateUserCommand(actor=owner, user=new_user("ada"))
    )

    rows = await outbox_rows(engine)
    assert len(rows) == before + 1
    row = rows[-1]
    request = email_request_from_payload(row["payload"])
    assert (row["kind"], row["tenant_id"], request.recipient_user_id) == ("send_email", owner.tenant_id, user.id)
    assert request.message_id == row["id"]
    assert row["created_at"] == row["available_at"] == clock.now()
    assert (row["attempts"], row["last_error"], row["dispatched_at"]) == (0, None, None)


async def test_a_rolled_back_transaction_writes_no_row(uow: MakeUow, engine: AsyncEngine, owner: Actor) -> None:
    before = await outbox_rows(engine)
    async with uow() as work:
        await work.users.add(UserCredentials(UserFactory.build(tenant_id=owner.tenant_id), fake_hash(PASSWORD)))
    async with uow() as work:
        await work.users.add(UserCredentials(UserFactory.build(tenant_id=owner.tenant_id), fake_hash(PASSWORD)))
        await work.rollback()
        await work.commit()  # nothing left to commit: the rollback dropped the user and its event
    assert await outbox_rows(engine) == before


async def test_a_commit_that_fails_writes_no_row(uow: MakeUow, engine: AsyncEngine, owner: Actor) -> None:
    taken = UserFactory.build(tenant_id=owner.tenant_id)
    async with uow() as work:
        await work.users.add(UserCredentials(taken, fake_hash(PASSWORD)))
        await work.commit()
    before = await outbox_rows(engine)

    async def add_a_clash() -> None:
        clash = UserFactory.build(tenant_id=owner.tenant_id, email=taken.email)
        async with uow() as work:
            await work.users.add(UserCredentials(clash, fake_hash(PASSWORD)))
            await work.commit()

    with pytest.raises(EmailAlreadyUsed):
        await add_a_clash()

    assert await outbox_rows(engine) == before


async def test_a_full_batch_writes_one_row_per_created_user_in_one_insert(
    uow: MakeUow, engine: AsyncEngine, owner: Actor, statements: list[str]
) -> None:
    before = len(await outbox_rows(engine))
    statements.clear()

    result = await CreateUsersBatch(uow, FakePasswordHasher(), FakeClock(), Uuid7Generator())(
        CreateUsersBatchCommand(actor=owner, users=[new_user(f"member{n:03d}") for n in range(MAX_BATCH_SIZE)])
    )

    sent = list(statements)
    rows = (await outbox_rows(engine))[before:]
    assert len(result.created) == MAX_BATCH_SIZE
    assert sorted(email_request_from_payload(row["payload"]).recipient_user_id for row in rows) == sorted(
        item.user.id for item in result.created
    )
    inserts = [statement for statement in sent if statement.lstrip().upper().startswith("INSERT")]
    assert [insert.split("(")[0].split()[-1] for insert in inserts] == ["users", "outbox"]
    assert len(sent) == 3, sent  # and the identity check: three statements for a hundred users and their rows
