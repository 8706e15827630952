"""PurgeDeletedUsers with the in-memory database: who is purged (deleted longer ago than the retention), in batches,
with one audit entry per user, their tokens gone with them and their delivery records kept without the address."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest

from factories import UserFactory
from fakes.world import World
from keel.application.audit import ActorKind
from keel.application.email import EmailDelivery
from keel.application.email.ports import DeliveryStatus, EmailTemplate
from keel.application.maintenance import PurgeDeletedUsers
from keel.domain.auth import RefreshToken, TokenDigest
from keel.domain.ids import uuid7
from keel.domain.tenants import Tenant
from keel.domain.users import User, UserNotFound

RETENTION = timedelta(days=30)


def purge(world: World, batch_size: int = 100) -> PurgeDeletedUsers:
    return PurgeDeletedUsers(world.uow, world.clock, retention=RETENTION, batch_size=batch_size)


def deleted(world: World, tenant: Tenant, name: str, days_ago: float) -> User:
    return world.user(tenant, name, deleted_at=world.clock.now() - timedelta(days=days_ago), version=2)


async def test_only_users_deleted_longer_ago_than_the_retention_are_purged(world: World) -> None:
    acme, other = world.tenant("acme"), world.tenant("other")
    old = [deleted(world, acme, "ann", 31), deleted(world, other, "bob", 90)]
    recent = deleted(world, acme, "cid", 29)
    live = world.user(acme, "dan")

    assert await purge(world)() == 2

    assert set(world.db.users) == {recent.id, live.id}
    entries = [entry for entry in world.db.audit_events if entry.action == "user.purged"]
    assert sorted((entry.tenant_id, entry.entity_id) for entry in entries) == sorted(
        (user.tenant_id, user.id) for user in old
    )
    assert {(entry.actor_kind, entry.actor_id, entry.entity_type) for entry in entries} == {
        (ActorKind.SYSTEM, None, "user")
    }
    by_user = {entry.entity_id: entry for entry in entries}
    assert [(change.name, change.before, change.after) for change in by_user[old[0].id].changes] == [
        ("deleted_at", (world.clock.now() - timedelta(days=31)).isoformat(), None)
    ]


async def test_a_user_deleted_exactly_at_the_cut_off_stays_until_it_is_past(world: World) -> None:
    user = deleted(world, world.tenant("acme"), "ann", 30)
    assert await purge(world)() == 0
    world.clock.advance(seconds=1)
    assert await purge(world)() == 1
    assert user.id not in world.db.users


async def test_users_are_purged_in_batches_one_transaction_each(world: World) -> None:
    tenant = world.tenant("acme")
    users = [deleted(world, tenant, f"user{n}", 40 + n) for n in range(5)]
    commits = world.db.commits

    assert await purge(world, batch_size=2)() == 5

    assert world.db.commits - commits == 3  # 2 + 2 + 1: the short batch says there is no more
    assert not set(world.db.users) & {user.id for user in users}
    assert world.db.statements["users.lock_deleted_before"] == 3


async def test_a_second_run_finds_nothing_left(world: World) -> None:
    deleted(world, world.tenant("acme"), "ann", 31)
    assert await purge(world)() == 1
    audit_entries = len(world.db.audit_events)
    assert await purge(world)() == 0
    assert len(world.db.audit_events) == audit_entries


async def test_tokens_go_with_the_user_and_deliveries_stay_without_the_address(world: World) -> None:
    tenant = world.tenant("acme")
    gone, kept = deleted(world, tenant, "ann", 31), world.user(tenant, "bob")
    now = world.clock.now()
    tokens = {
        user.id: RefreshToken.start_family(
            id=uuid7(),
            tenant_id=tenant.id,
            user_id=user.id,
            digest=TokenDigest(bytes([index]) * 32),
            now=now,
            ttl=timedelta(days=1),
        )
        for index, user in enumerate((gone, kept))
    }
    deliveries = {user.id: _sent_delivery(tenant.id, user) for user in (gone, kept)}
    world.db.seed(*tokens.values(), *deliveries.values())

    assert await purge(world)() == 1

    assert [token.user_id for token in world.db.refresh_tokens.values()] == [kept.id]
    stored = world.db.email_deliveries
    assert stored[deliveries[gone.id].message_id].to_address is None
    assert stored[deliveries[gone.id].message_id].recipient_user_id == gone.id
    assert stored[deliveries[kept.id].message_id].to_address == "bob@example.com"


def test_only_a_deleted_user_can_be_purged() -> None:
    user: User = UserFactory.build()
    with pytest.raises(UserNotFound):
        user.purge(user.created_at)
    assert user.pending_events == ()


@pytest.mark.parametrize(
    ("retention", "batch_size", "message"),
    [
        (timedelta(0), 10, "the retention must be positive"),
        (timedelta(days=1), 0, "the batch size must be at least 1"),
    ],
)
def test_bad_configuration_is_refused(world: World, retention: timedelta, batch_size: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PurgeDeletedUsers(world.uow, world.clock, retention=retention, batch_size=batch_size)


def _sent_delivery(tenant_id: UUID, user: User) -> EmailDelivery:
    return EmailDelivery(
        message_id=uuid7(),
        tenant_id=tenant_id,
        recipient_user_id=user.id,
        template=EmailTemplate.WELCOME,
        status=DeliveryStatus.SENT,
        attempts=1,
        created_at=user.created_at,
        updated_at=user.created_at,
        to_address=user.email.value,
        provider_message_id="<m@example.com>",
        sent_at=user.created_at,
    )
