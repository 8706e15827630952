"""The audit log on PostgreSQL: entries commit with their change or not at all, and read back as written."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from conftest import MakeUow
from factories import TenantFactory, UserFactory
from fakes.clock import FakeClock
from fakes.passwords import FakePasswordHasher, fake_hash
from keel.application.audit import (
    ActorKind,
    AuditQuery,
    ContextVarRequestContexts,
    ListAuditEvents,
    ListAuditEventsQuery,
    RequestContext,
)
from keel.application.unit_of_work import BeforeCommit, UnitOfWork
from keel.application.users import (
    Actor,
    CreateUser,
    CreateUserCommand,
    NewUser,
    UpdateUser,
    UpdateUserCommand,
)
from keel.domain.events import DomainEvent, FieldChange
from keel.domain.ids import Uuid7Generator, uuid7
from keel.domain.tenants import Tenant, TenantSlug
from keel.domain.users import Role, UserCredentials
from keel.infrastructure.database.models import audit_events_table

pytestmark = pytest.mark.integration

PASSWORD = "correct horse battery staple"


class CommitRefused(Exception):
    pass


async def refuse_commit(uow: UnitOfWork, events: Sequence[DomainEvent]) -> None:
    raise CommitRefused


async def audit_rows(engine: AsyncEngine) -> list[dict[str, Any]]:
    async with engine.connect() as connection:
        rows = await connection.execute(select(audit_events_table).order_by(audit_events_table.c.id))
        return [dict(row) for row in rows.mappings()]


@pytest.fixture
async def owner(uow: MakeUow) -> Actor:
    tenant: Tenant = TenantFactory.build()
    user = UserFactory.build(tenant_id=tenant.id, roles=frozenset({Role.OWNER}))
    async with uow() as work:
        await work.tenants.add(tenant)
        await work.users.add(UserCredentials(user, fake_hash(PASSWORD)))
        await work.commit()
    return Actor(user_id=user.id, tenant_id=tenant.id, roles=user.roles)


async def test_a_change_and_its_entry_commit_together(
    uow: MakeUow, engine: AsyncEngine, owner: Actor, contexts: ContextVarRequestContexts
) -> None:
    before = len(await audit_rows(engine))
    context = RequestContext(request_id="r-1", ip="2001:db8::1", user_agent="pytest")
    context.act_as(ActorKind.USER, owner.user_id)
    contexts.bind(context)

    user = await CreateUser(uow, FakePasswordHasher(), FakeClock(), Uuid7Generator())(
        CreateUserCommand(actor=owner, user=NewUser(email="ada@example.com", username="ada", password=PASSWORD))
    )

    rows = (await audit_rows(engine))[before:]
    assert len(rows) == 1
    row = rows[0]
    assert (row["action"], row["entity_id"], row["actor_kind"], row["actor_id"]) == (
        "user.created",
        user.id,
        "user",
        owner.user_id,
    )
    assert (row["request_id"], str(row["ip"]), row["user_agent"]) == ("r-1", "2001:db8::1", "pytest")
    assert row["changes"] == {
        "email": {"before": None, "after": "ada@example.com"},
        "username": {"before": None, "after": "ada"},
    }


@pytest.mark.parametrize("extra_before_commit", [[refuse_commit]])
async def test_a_commit_that_fails_after_the_entries_were_written_leaves_none(
    uow: MakeUow, engine: AsyncEngine, extra_before_commit: list[BeforeCommit]
) -> None:
    tenant = Tenant.create(id=uuid7(), slug=TenantSlug("refused"), name="Refused", now=FakeClock().now())
    assert tenant.pending_events  # TenantCreated: an audited event, whose entry is written before the refusal
    async with uow() as work:
        await work.tenants.add(tenant)
        with pytest.raises(CommitRefused):
            await work.commit()
    assert await audit_rows(engine) == []


async def test_entries_read_back_as_written_newest_first_with_filters_and_pages(
    uow: MakeUow, owner: Actor, contexts: ContextVarRequestContexts
) -> None:
    context = RequestContext(request_id="r-2", ip="not an address", user_agent=None)
    context.act_as(ActorKind.USER, owner.user_id)
    contexts.bind(context)
    update = UpdateUser(uow, FakeClock())
    await update(UpdateUserCommand(actor=owner, user_id=owner.user_id, roles=[Role.OWNER, Role.ADMIN], locale="fr-FR"))
    await update(UpdateUserCommand(actor=owner, user_id=owner.user_id, full_name="Renamed"))
    list_events = ListAuditEvents(uow)

    updates = await list_events(
        ListAuditEventsQuery(actor=owner, criteria=AuditQuery(entity_id=owner.user_id, action="user.updated", limit=1))
    )
    (newest,) = updates.items
    assert newest.changes[0].name == "full_name"
    assert newest.ip is None  # an unparseable address is not stored, and does not fail the change
    assert updates.next_cursor is not None
    older = await list_events(
        ListAuditEventsQuery(
            actor=owner,
            criteria=AuditQuery(entity_id=owner.user_id, action="user.updated", cursor=updates.next_cursor),
        )
    )
    (entry,) = older.items
    assert older.next_cursor is None
    assert set(entry.changes) == {
        FieldChange("preferences", (("locale", "en"), ("timezone", "UTC")), (("locale", "fr-FR"), ("timezone", "UTC"))),
        FieldChange("roles", ("owner",), ("admin", "owner")),
    }
    everything = await list_events(ListAuditEventsQuery(actor=owner, criteria=AuditQuery()))
    assert [item.action for item in everything.items] == ["user.updated", "user.updated"]
    other_tenant = Actor(user_id=owner.user_id, tenant_id=TenantFactory.build().id, roles=owner.roles)
    assert (await list_events(ListAuditEventsQuery(actor=other_tenant, criteria=AuditQuery()))).items == ()
