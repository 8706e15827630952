"""Domain services: identities unique among a tenant's non-deleted users, and a tenant never without an active
owner."""

from __future__ import annotations

from collections.abc import Collection
from uuid import UUID

import pytest

from factories import UserFactory
from fakes.clock import START
from keel.domain.ids import uuid7
from keel.domain.users import (
    EmailAddress,
    EmailAlreadyUsed,
    LastOwnerPolicy,
    LastOwnerRequired,
    Role,
    TakenIdentities,
    UniqueIdentityPolicy,
    Username,
    UsernameAlreadyUsed,
)

TENANT = uuid7()


class KnownIdentities:
    def __init__(self, emails: set[str], usernames: set[str]) -> None:
        self.emails, self.usernames = emails, usernames
        self.queries = 0

    async def existing_emails_and_usernames(
        self, tenant_id: UUID, emails: Collection[EmailAddress], usernames: Collection[Username]
    ) -> TakenIdentities:
        self.queries += 1
        return TakenIdentities(
            emails=frozenset(e for e in emails if e.value in self.emails),
            usernames=frozenset(u for u in usernames if u.value in self.usernames),
        )


class OwnerCounter:
    def __init__(self, owners: int) -> None:
        self.owners = owners

    async def count_active_owners(self, tenant_id: UUID) -> int:
        return self.owners


async def test_a_taken_email_or_username_is_refused() -> None:
    policy = UniqueIdentityPolicy(KnownIdentities({"ann@example.com"}, {"bob"}))
    with pytest.raises(EmailAlreadyUsed) as email_error:
        await policy.ensure_available(TENANT, email=EmailAddress("Ann@example.com"), username=Username("ann"))
    with pytest.raises(UsernameAlreadyUsed) as username_error:
        await policy.ensure_available(TENANT, email=EmailAddress("bob@example.com"), username=Username("bob"))
    assert email_error.value.context == {"field": "email"}
    assert username_error.value.context == {"field": "username"}
    await policy.ensure_available(TENANT, email=EmailAddress("new@example.com"), username=Username("new"))


async def test_a_deleted_user_may_be_restored_only_while_their_email_and_username_are_free() -> None:
    gone = UserFactory.build(email=EmailAddress("ann@example.com"), username=Username("ann"), deleted_at=START)
    await UniqueIdentityPolicy(KnownIdentities({"bob@example.com"}, {"bob"})).ensure_may_restore(gone)
    with pytest.raises(EmailAlreadyUsed):
        await UniqueIdentityPolicy(KnownIdentities({"ann@example.com"}, set())).ensure_may_restore(gone)
    with pytest.raises(UsernameAlreadyUsed):
        await UniqueIdentityPolicy(KnownIdentities(set(), {"ann"})).ensure_may_restore(gone)


async def test_a_user_who_is_not_deleted_needs_no_restore_check() -> None:
    lookup = KnownIdentities({"ann@example.com"}, {"ann"})
    await UniqueIdentityPolicy(lookup).ensure_may_restore(
        UserFactory.build(email=EmailAddress("ann@example.com"), username=Username("ann"))
    )
    assert lookup.queries == 0


async def test_nothing_to_check_asks_nothing() -> None:
    lookup = KnownIdentities(set(), set())
    await UniqueIdentityPolicy(lookup).ensure_available(TENANT)
    assert await UniqueIdentityPolicy(lookup).taken(TENANT, [], []) == TakenIdentities()
    assert lookup.queries == 0


async def test_the_last_active_owner_cannot_stop_owning() -> None:
    owner = UserFactory.build(roles=frozenset({Role.OWNER}))
    owner.assign_roles(frozenset({Role.ADMIN}), START)
    with pytest.raises(LastOwnerRequired) as raised:
        await LastOwnerPolicy(OwnerCounter(1)).check_change(owner, was_active_owner=True)
    assert raised.value.code == "last_owner"


async def test_an_owner_may_step_down_when_another_remains() -> None:
    owner = UserFactory.build(roles=frozenset({Role.OWNER}))
    owner.disable(START)
    await LastOwnerPolicy(OwnerCounter(2)).check_change(owner, was_active_owner=True)


async def test_changes_that_keep_or_never_had_ownership_are_not_checked() -> None:
    member = UserFactory.build()
    await LastOwnerPolicy(OwnerCounter(0)).check_change(member, was_active_owner=False)
    owner = UserFactory.build(roles=frozenset({Role.OWNER}))
    owner.rename("Still Owner", START)
    await LastOwnerPolicy(OwnerCounter(0)).check_change(owner, was_active_owner=True)
