"""The unit of work's before-commit path: handlers see the events about to commit and write in the same transaction;
the outbox messages commit with the change or not at all; a failing handler fails the commit."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from fakes import FakeUnitOfWork, fake_hash
from fakes.clock import START
from fakes.world import PASSWORD, World, actor
from keel.application.outbox import OutboxPolicy, OutboxWriter, email_request_from_payload
from keel.application.unit_of_work import UnitOfWork
from keel.application.users import CreateUser, CreateUserCommand, CreateUsersBatch, CreateUsersBatchCommand, NewUser
from keel.domain.events import DomainEvent
from keel.domain.ids import uuid7
from keel.domain.tenants import Tenant, TenantCreated, TenantSlug
from keel.domain.users import EmailAddress, EmailAlreadyUsed, Role, User, UserCreated, UserCredentials, Username


def new_user(name: str) -> NewUser:
    return NewUser(email=f"{name}@example.com", username=name, password=PASSWORD)


def registered(tenant: Tenant, name: str) -> UserCredentials:
    user = User.register(
        id=uuid7(),
        tenant_id=tenant.id,
        email=EmailAddress(f"{name}@example.com"),
        username=Username(name),
        roles=frozenset({Role.MEMBER}),
        now=START,
    )
    return UserCredentials(user=user, password_hash=fake_hash(PASSWORD))


async def test_creating_a_user_commits_one_welcome_message_for_them(world: World) -> None:
    tenant = world.tenant()
    owner = world.user(tenant, "owner", roles=[Role.OWNER])

    user = await CreateUser(world.uow, world.hasher, world.clock, world.ids)(
        CreateUserCommand(actor=actor(owner), user=new_user("ada"))
    )

    [message] = world.db.outbox
    assert email_request_from_payload(message.payload).recipient_user_id == user.id
    assert world.db.commits == 1


async def test_a_batch_commits_one_message_per_created_user_in_one_write(world: World) -> None:
    tenant = world.tenant()
    owner = world.user(tenant, "owner", roles=[Role.OWNER])
    world.user(tenant, "taken")
    world.db.statements.clear()

    result = await CreateUsersBatch(world.uow, world.hasher, world.clock, world.ids)(
        CreateUsersBatchCommand(
            actor=actor(owner), users=[*(new_user(f"user{n}") for n in range(20)), new_user("taken")]
        )
    )

    recipients = [email_request_from_payload(message.payload).recipient_user_id for message in world.db.outbox]
    assert recipients == [item.user.id for item in result.created]
    assert len(recipients) == 20
    assert world.db.statements["outbox.add"] == 1


async def test_leaving_without_commit_writes_no_message(world: World) -> None:
    tenant = world.tenant()
    async with world.uow() as uow:
        await uow.users.add(registered(tenant, "ada"))
    assert world.db.outbox == []
    assert world.bus.published == []


async def test_a_commit_refused_by_a_constraint_writes_no_message(world: World) -> None:
    tenant = world.tenant()
    world.user(tenant, "ada")
    async with world.uow() as uow:
        await uow.users.add(registered(tenant, "ada"))  # the same email: the unique index refuses it at commit
        with pytest.raises(EmailAlreadyUsed):
            await uow.commit()
    assert world.db.outbox == []


async def test_before_commit_handlers_see_the_events_in_order_inside_the_transaction(world: World) -> None:
    seen: list[tuple[int, list[type[DomainEvent]]]] = []

    async def note(uow: UnitOfWork, events: Sequence[DomainEvent]) -> None:
        seen.append((world.db.commits, [type(event) for event in events]))

    tenant = Tenant.create(id=uuid7(), slug=TenantSlug("fresh"), name="Fresh", now=START)
    async with FakeUnitOfWork(world.db, world.bus, before_commit=[note]) as uow:
        await uow.tenants.add(tenant)
        await uow.users.add(registered(tenant, "ada"))
        await uow.commit()

    assert seen == [(0, [TenantCreated, UserCreated])]  # before the commit, with every written aggregate's events
    assert [type(event) for event in world.bus.published] == [TenantCreated, UserCreated]


async def test_a_failing_before_commit_handler_fails_the_commit(world: World) -> None:
    class AuditDown(Exception):
        pass

    async def broken(uow: UnitOfWork, events: Sequence[DomainEvent]) -> None:
        raise AuditDown

    after_commit_ran: list[bool] = []

    async def after() -> None:
        after_commit_ran.append(True)

    tenant = world.tenant()
    handlers = [OutboxWriter(OutboxPolicy(world.ids)), broken]
    async with FakeUnitOfWork(world.db, world.bus, before_commit=handlers) as uow:
        await uow.users.add(registered(tenant, "ada"))
        uow.after_commit(after)
        with pytest.raises(AuditDown):
            await uow.commit()

    assert world.db.commits == 0
    assert world.db.outbox == []  # the writer ran first; its rows rolled back with the rest
    assert [user.username.value for user in world.db.users.values()] == []
    assert world.bus.published == []
    assert after_commit_ran == []
