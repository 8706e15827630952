"""The unit of work: events are published only after a commit, after-commit callbacks first, and failures after the
commit are logged and counted without undoing it."""

from __future__ import annotations

import logging

import pytest

from fakes import FakeUnitOfWork, fake_hash
from fakes.clock import START
from fakes.world import World
from keel.application.events import HandlerFailureCounts, InProcessEventBus
from keel.application.unit_of_work import ReadOnlyUnitOfWork
from keel.domain.events import DomainEvent
from keel.domain.ids import uuid7
from keel.domain.tenants import Tenant, TenantCreated, TenantSlug, TenantSlugTaken
from keel.domain.users import (
    EmailAddress,
    Role,
    User,
    UserCreated,
    UserCredentials,
    Username,
    UserUpdated,
)


def new_tenant(slug: str = "acme") -> Tenant:
    return Tenant.create(id=uuid7(), slug=TenantSlug(slug), name="Acme", now=START)


def new_user(tenant: Tenant, name: str = "ann") -> UserCredentials:
    user = User.register(
        id=uuid7(),
        tenant_id=tenant.id,
        email=EmailAddress(f"{name}@example.com"),
        username=Username(name),
        roles=frozenset({Role.OWNER}),
        now=START,
    )
    return UserCredentials(user=user, password_hash=fake_hash("whatever password"))


async def test_commit_stores_the_writes_then_publishes_their_events_in_order(world: World) -> None:
    tenant = new_tenant()
    async with world.uow() as uow:
        await uow.tenants.add(tenant)
        await uow.users.add(new_user(tenant))
        assert world.bus.published == []
        await uow.commit()
    assert tenant.id in world.db.tenants
    assert [type(e) for e in world.bus.published] == [TenantCreated, UserCreated]


async def test_leaving_without_commit_discards_the_writes_and_their_events(world: World) -> None:
    uow = world.uow()
    async with uow:
        await uow.tenants.add(new_tenant())
    assert world.db.tenants == {}
    assert world.bus.published == []
    assert uow.rollbacks == 1


async def test_an_error_inside_the_block_rolls_back(world: World) -> None:
    async def fail_midway() -> None:
        async with world.uow() as uow:
            await uow.tenants.add(new_tenant())
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await fail_midway()
    assert world.db.tenants == {}


async def test_a_failing_commit_propagates_and_publishes_nothing(world: World) -> None:
    world.tenant("acme")
    async with world.uow() as uow:
        await uow.tenants.add(new_tenant("acme"))
        with pytest.raises(TenantSlugTaken):
            await uow.commit()
    assert world.bus.published == []
    assert len(world.db.tenants) == 1


async def test_only_the_events_of_written_aggregates_are_published(world: World) -> None:
    tenant = world.tenant()
    user = world.user(tenant, "ann")
    async with world.uow() as uow:
        loaded = await uow.users.get(tenant.id, user.id)
        assert loaded is not None
        loaded.rename("Changed But Not Saved", START)
        other = await uow.users.get(tenant.id, user.id)
        assert other is not None
        await uow.commit()
    assert world.bus.published == []
    assert world.stored(user).full_name == user.full_name


async def test_after_commit_callbacks_run_after_the_commit_and_before_the_events(world: World) -> None:
    seen: list[str] = []

    async def invalidate() -> None:
        seen.append(f"callback, {len(world.db.tenants)} tenant(s) committed, {len(world.bus.published)} published")

    async with world.uow() as uow:
        await uow.tenants.add(new_tenant())
        uow.after_commit(invalidate)
        await uow.commit()
    assert seen == ["callback, 1 tenant(s) committed, 0 published"]
    assert len(world.bus.published) == 1


async def test_after_commit_callbacks_do_not_run_on_rollback(world: World) -> None:
    ran: list[bool] = []

    async def callback() -> None:
        ran.append(True)

    async with world.uow() as uow:
        uow.after_commit(callback)
    assert ran == []


async def test_failures_after_commit_are_logged_and_counted_never_raised(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    failures = HandlerFailureCounts()
    bus = InProcessEventBus(failures)
    handled: list[DomainEvent] = []

    async def broken_handler(event: DomainEvent) -> None:
        raise ValueError("handler bug")

    async def working_handler(event: DomainEvent) -> None:
        handled.append(event)

    async def broken_callback() -> None:
        raise ConnectionError("cache down")

    bus.subscribe(TenantCreated, broken_handler)
    bus.subscribe(DomainEvent, working_handler)
    with caplog.at_level(logging.ERROR):
        async with FakeUnitOfWork(world.db, bus, failures) as uow:
            await uow.tenants.add(new_tenant())
            uow.after_commit(broken_callback)
            await uow.commit()
    assert len(world.db.tenants) == 1
    assert [type(e) for e in handled] == [TenantCreated]
    assert failures.total == 2
    assert sorted((handler.rsplit(".", 1)[-1], event) for handler, event in failures.counts) == [
        ("broken_callback", "after_commit"),
        ("broken_handler", "TenantCreated"),
    ]
    assert sum("failed" in r.getMessage() for r in caplog.records) == 2


async def test_each_commit_publishes_only_what_is_new(world: World) -> None:
    tenant = world.tenant()
    user = world.user(tenant, "ann")
    async with world.uow() as uow:
        loaded = await uow.users.get(tenant.id, user.id)
        assert loaded is not None
        loaded.rename("First", START)
        await uow.users.save(loaded, expected_version=1)
        await uow.commit()
        loaded.rename("Second", START)
        await uow.users.save(loaded, expected_version=2)
        await uow.commit()
    assert [(type(e), e.version) for e in world.bus.published] == [(UserUpdated, 2), (UserUpdated, 3)]  # type: ignore[attr-defined]
    assert world.stored(user).full_name == "Second"


async def test_a_unit_of_work_serves_one_block_at_a_time(world: World) -> None:
    uow = world.uow()
    async with uow:
        with pytest.raises(RuntimeError, match="already in use"):
            await uow.__aenter__()
    with pytest.raises(RuntimeError, match="async with"):
        await uow.commit()


async def test_an_explicit_rollback_drops_the_events_of_what_it_undid(world: World) -> None:
    discarded, kept = new_tenant("discarded"), new_tenant("kept")
    async with world.uow() as uow:
        await uow.tenants.add(discarded)
        await uow.rollback()
        await uow.tenants.add(kept)
        await uow.commit()
    assert set(world.db.tenants) == {kept.id}
    published = [event for event in world.bus.published if isinstance(event, TenantCreated)]
    assert [event.tenant_id for event in published] == [kept.id]


async def test_a_read_only_unit_of_work_refuses_to_commit(world: World) -> None:
    async with world.uow(read_only=True) as uow:
        assert uow.read_only
        with pytest.raises(ReadOnlyUnitOfWork):
            await uow.commit()
