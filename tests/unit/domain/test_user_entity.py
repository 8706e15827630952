"""The user aggregate: each effective change is one new version and one event; no-ops change nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from factories import UserFactory
from fakes.clock import START
from keel.domain.ids import uuid7
from keel.domain.users import (
    EmailAddress,
    InvalidFullName,
    InvalidRoles,
    Preferences,
    Role,
    User,
    UserChanges,
    UserCreated,
    UserDeleted,
    Username,
    UserNotFound,
    UserRestored,
    UserStatus,
    UserUpdated,
)
from keel.domain.users.user import plain_value

LATER = START + timedelta(minutes=5)

change_sets = st.builds(
    UserChanges,
    full_name=st.none() | st.sampled_from(["User 0", "Ada Lovelace", "  Grace Hopper ", ""]),
    email=st.none() | st.sampled_from(["user0@example.com", "ada@example.com"]).map(EmailAddress),
    username=st.none() | st.sampled_from(["user000", "ada"]).map(Username),
    roles=st.none() | st.frozensets(st.sampled_from(Role), min_size=1),
    status=st.none() | st.sampled_from(UserStatus),
    preferences=st.none() | st.sampled_from([Preferences(), Preferences("fr-FR", "Europe/Paris")]),
)


def a_user() -> User:
    return UserFactory.build(email=EmailAddress("user0@example.com"), username=Username("user000"), full_name="User 0")


def test_registering_makes_an_active_unverified_user_at_version_one() -> None:
    user = User.register(
        id=uuid7(),
        tenant_id=uuid7(),
        email=EmailAddress("Ada@Example.com"),
        username=Username("ada"),
        roles=frozenset({Role.MEMBER}),
        now=START,
        full_name="  Ada Lovelace ",
    )
    assert (user.version, user.status, user.full_name) == (1, UserStatus.ACTIVE, "Ada Lovelace")
    assert user.email_verified_at is None
    assert user.created_at == user.updated_at == START
    [event] = user.pull_events()
    assert event == UserCreated(
        occurred_at=START, user_id=user.id, tenant_id=user.tenant_id, version=1, email="ada@example.com", username="ada"
    )


@given(change_sets)
def test_an_update_applies_the_given_fields_in_one_version_and_one_event(changes: UserChanges) -> None:
    user = a_user()
    before = {
        name: getattr(user, name) for name in ("full_name", "email", "username", "roles", "status", "preferences")
    }
    changed = user.update(changes, LATER)
    for name, old in before.items():
        new = changes.given().get(name)
        expected = old if new is None else (new.strip() if isinstance(new, str) else new)
        assert getattr(user, name) == expected
        assert (name in changed) == (expected != old)
    events = user.pull_events()
    if changed:
        assert user.version == 2
        assert user.updated_at == LATER
        assert len(events) == 1
        event = events[0]
        assert isinstance(event, UserUpdated)
        assert (event.occurred_at, event.user_id, event.tenant_id, event.version, event.changed_fields) == (
            LATER,
            user.id,
            user.tenant_id,
            2,
            tuple(sorted(changed)),
        )
        assert tuple(change.name for change in event.changes) == event.changed_fields
        for change in event.changes:
            assert change.after == plain_value(getattr(user, change.name))
            assert change.before == plain_value(before[change.name]) or change.name == "email_verified_at"
    else:
        assert (user.version, user.updated_at, events) == (1, START, ())


def test_changing_the_email_clears_its_verification() -> None:
    user = a_user()
    assert user.verify_email(START)
    assert user.change_email(EmailAddress("new@example.com"), LATER)
    assert user.email_verified_at is None
    assert user.version == 3
    assert user.pull_events()[-1].changed_fields == ("email", "email_verified_at")  # type: ignore[attr-defined]


def test_verifying_twice_is_one_change() -> None:
    user = a_user()
    assert user.verify_email(START)
    assert not user.verify_email(LATER)
    assert (user.email_verified_at, user.version) == (START, 2)


def test_soft_delete_and_restore_are_versions_with_their_own_events() -> None:
    user = a_user()
    assert user.soft_delete(LATER)
    assert not user.soft_delete(LATER)
    assert (user.deleted_at, user.is_deleted, user.is_active, user.version) == (LATER, True, False, 2)
    assert user.restore(LATER)
    assert not user.restore(LATER)
    assert (user.deleted_at, user.is_active, user.version) == (None, True, 3)
    assert [type(event) for event in user.pull_events()] == [UserDeleted, UserRestored]


def test_a_deleted_user_cannot_change_until_restored() -> None:
    user = a_user()
    user.soft_delete(LATER)
    with pytest.raises(UserNotFound):
        user.rename("Someone Else", LATER)
    with pytest.raises(UserNotFound):
        user.verify_email(LATER)
    assert user.version == 2


def test_disabling_an_owner_ends_their_ownership() -> None:
    user = a_user()
    user.assign_roles(frozenset({Role.OWNER}), LATER)
    assert user.is_active_owner
    user.disable(LATER)
    assert not user.is_active_owner
    user.enable(LATER)
    assert user.is_active_owner


@pytest.mark.parametrize("roles", [frozenset(), frozenset({"superuser"})])
def test_roles_are_a_non_empty_subset_of_the_known_ones(roles: frozenset[Role]) -> None:
    with pytest.raises(InvalidRoles):
        a_user().assign_roles(roles, LATER)


@pytest.mark.parametrize("name", ["x" * 201, "tab\there", "new\nline"])
def test_refuses_unprintable_or_overlong_full_names(name: str) -> None:
    with pytest.raises(InvalidFullName):
        a_user().rename(name, LATER)


def test_diff_keeps_only_what_would_change() -> None:
    user = a_user()
    diff = user.diff(UserChanges(full_name=" User 0 ", username=Username("other"), roles=frozenset({Role.MEMBER})))
    assert diff == UserChanges(username=Username("other"))


def test_an_update_event_carries_each_changed_value_before_and_after_in_plain_terms() -> None:
    user = a_user()
    old_email = user.email.value
    assert user.verify_email(START)
    user.pull_events()
    user.update(UserChanges(email=EmailAddress("new@example.com"), roles=frozenset({Role.ADMIN, Role.MEMBER})), LATER)
    (event,) = user.pull_events()
    assert isinstance(event, UserUpdated)
    changes = {change.name: (change.before, change.after) for change in event.changes}
    assert changes["email"] == (old_email, "new@example.com")
    assert changes["email_verified_at"] == (START.isoformat(), None)
    assert changes["roles"][1] == ("admin", "member")
