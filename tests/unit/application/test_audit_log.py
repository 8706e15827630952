"""The audit log: one entry per audited change, written before commit with the request's context, never for a change
that did not commit; and ``ListAuditEvents``' pages."""

from __future__ import annotations

import inspect
from uuid import UUID

import pytest

import keel.domain.tenants
import keel.domain.users
from fakes.world import World, actor
from keel.application.audit import (
    ActorKind,
    AuditPolicy,
    AuditQuery,
    ListAuditEvents,
    ListAuditEventsQuery,
    RequestContext,
)
from keel.application.audit.policy import DEFAULT_AUDITED
from keel.application.pagination import Cursor, InvalidCursor, PageSizeOutOfRange
from keel.application.users import DeleteUser, DeleteUserCommand, UpdateUser, UpdateUserCommand
from keel.domain.errors import VersionConflict
from keel.domain.events import DomainEvent, FieldChange
from keel.domain.users import Role, UserEvent


def _bind(world: World, acting: UUID | None) -> None:
    context = RequestContext(request_id="req-1", ip="203.0.113.7", user_agent="curl/8")
    if acting is not None:
        context.act_as(ActorKind.USER, acting)
    world.contexts.bind(context)


async def test_a_change_leaves_one_entry_with_the_request_context_and_the_values_before_and_after(
    world: World,
) -> None:
    tenant = world.tenant()
    admin, member = world.user(tenant, "admin", roles=[Role.ADMIN]), world.user(tenant, "member", full_name="Old")
    _bind(world, admin.id)

    await UpdateUser(world.uow, world.clock)(
        UpdateUserCommand(actor=actor(admin), user_id=member.id, full_name="New", username="renamed")
    )

    (entry,) = world.db.audit_events
    assert (entry.tenant_id, entry.action, entry.entity_type, entry.entity_id) == (
        tenant.id,
        "user.updated",
        "user",
        member.id,
    )
    assert (entry.actor_kind, entry.actor_id, entry.request_id, entry.ip, entry.user_agent) == (
        ActorKind.USER,
        admin.id,
        "req-1",
        "203.0.113.7",
        "curl/8",
    )
    assert entry.changes == (FieldChange("full_name", "Old", "New"), FieldChange("username", "member", "renamed"))
    assert entry.occurred_at == world.clock.now()


async def test_a_change_that_fails_to_commit_leaves_no_entry(world: World) -> None:
    tenant = world.tenant()
    admin, member = world.user(tenant, "admin", roles=[Role.ADMIN]), world.user(tenant, "member")
    _bind(world, admin.id)
    update = UpdateUser(world.uow, world.clock)

    def concurrent_change() -> None:  # another transaction commits a new version first
        world.db.users[member.id].version += 1

    world.db.before_commit.append(concurrent_change)
    with pytest.raises(VersionConflict):
        await update(UpdateUserCommand(actor=actor(admin), user_id=member.id, expected_version=1, full_name="X"))

    assert world.db.audit_events == []


async def test_a_no_op_change_leaves_no_entry(world: World) -> None:
    tenant = world.tenant()
    admin, member = world.user(tenant, "admin", roles=[Role.ADMIN]), world.user(tenant, "member", full_name="Same")
    await UpdateUser(world.uow, world.clock)(UpdateUserCommand(actor=actor(admin), user_id=member.id, full_name="Same"))
    assert world.db.audit_events == []


async def test_outside_a_request_the_actor_is_the_system(world: World) -> None:
    tenant = world.tenant()
    owner, member = world.user(tenant, "owner", roles=[Role.OWNER]), world.user(tenant, "member")
    await DeleteUser(world.uow, world.clock)(DeleteUserCommand(actor=actor(owner), user_id=member.id))
    (entry,) = world.db.audit_events
    assert (entry.action, entry.actor_kind, entry.actor_id, entry.request_id) == (
        "user.deleted",
        ActorKind.SYSTEM,
        None,
        None,
    )


def test_every_event_of_the_domain_is_audited() -> None:
    events = {
        cls
        for module in (keel.domain.users, keel.domain.tenants)
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, DomainEvent) and cls not in {DomainEvent, UserEvent}
    }
    assert events
    assert events <= set(DEFAULT_AUDITED)


async def _seed_entries(world: World) -> tuple[list[UUID], UUID, UUID]:
    """Five updates of two users by two admins of one tenant, and one of another tenant's."""
    tenant, other = world.tenant(), world.tenant("other")
    first, second = world.user(tenant, "first", roles=[Role.ADMIN]), world.user(tenant, "second", roles=[Role.ADMIN])
    outsider = world.user(other, "outsider", roles=[Role.ADMIN])
    update = UpdateUser(world.uow, world.clock)
    for index in range(5):
        author = first if index % 2 == 0 else second
        _bind(world, author.id)
        await update(UpdateUserCommand(actor=actor(author), user_id=author.id, full_name=f"Name {index}"))
    _bind(world, outsider.id)
    await update(UpdateUserCommand(actor=actor(outsider), user_id=outsider.id, full_name="Elsewhere"))
    ids = [entry.id for entry in world.db.audit_events if entry.tenant_id == tenant.id]
    return ids, first.id, second.id


async def test_pages_walk_the_tenants_entries_newest_first(world: World) -> None:
    ids, first, _ = await _seed_entries(world)
    reader = world.db.users[first]
    list_events = ListAuditEvents(world.uow)

    seen: list[UUID] = []
    cursor: Cursor | None = None
    while True:
        page = await list_events(ListAuditEventsQuery(actor=actor(reader), criteria=AuditQuery(cursor=cursor, limit=2)))
        seen.extend(entry.id for entry in page.items)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == sorted(ids, reverse=True)


async def test_filters_narrow_the_page(world: World) -> None:
    _, first, second = await _seed_entries(world)
    reader = world.db.users[first]
    list_events = ListAuditEvents(world.uow)

    by_actor = await list_events(ListAuditEventsQuery(actor=actor(reader), criteria=AuditQuery(actor_id=second)))
    assert len(by_actor.items) == 2
    assert {entry.actor_id for entry in by_actor.items} == {second}
    by_entity = await list_events(ListAuditEventsQuery(actor=actor(reader), criteria=AuditQuery(entity_id=first)))
    assert len(by_entity.items) == 3
    none = await list_events(ListAuditEventsQuery(actor=actor(reader), criteria=AuditQuery(action="user.deleted")))
    assert none.items == ()


async def test_a_cursor_of_another_order_or_a_page_size_out_of_range_is_refused(world: World) -> None:
    tenant = world.tenant()
    reader = world.user(tenant, "reader", roles=[Role.ADMIN])
    list_events = ListAuditEvents(world.uow)
    foreign = Cursor(sort="created_at", key=("x",), id=reader.id)
    with pytest.raises(InvalidCursor):
        await list_events(ListAuditEventsQuery(actor=actor(reader), criteria=AuditQuery(cursor=foreign)))
    with pytest.raises(PageSizeOutOfRange):
        await list_events(ListAuditEventsQuery(actor=actor(reader), criteria=AuditQuery(limit=0)))


def test_a_policy_turns_only_audited_events_into_entries(world: World) -> None:
    class Unlisted(DomainEvent):
        pass

    assert AuditPolicy(world.ids, world.contexts).entries_for([Unlisted(occurred_at=world.clock.now())]) == []
