"""UpdateUser: merge-patch semantics, optimistic concurrency, uniqueness, the last owner, and who may change what."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fakes.world import World, actor
from keel.application.errors import PermissionDenied
from keel.application.users import UNSET, GetUser, GetUserQuery, UpdateUser, UpdateUserCommand
from keel.domain.errors import VersionConflict
from keel.domain.users import (
    EmailAddress,
    EmailAlreadyUsed,
    InvalidStatus,
    InvalidTimezone,
    LastOwnerRequired,
    Preferences,
    Role,
    User,
    UsernameAlreadyUsed,
    UserNotFound,
    UserStatus,
    UserUpdated,
)

FIELD_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "full_name": st.sampled_from([None, "", "Target", "  Tara Target  ", "Someone Else"]),
    "email": st.sampled_from(["target@example.com", "TARGET@example.com", "new@example.com"]),
    "username": st.sampled_from(["target", "renamed"]),
    "roles": st.frozensets(st.sampled_from(Role), min_size=1),
    "status": st.sampled_from(UserStatus),
    "locale": st.sampled_from([None, "en", "fr-FR"]),
    "timezone": st.sampled_from([None, "UTC", "Europe/Paris"]),
}
patches = st.fixed_dictionaries({}, optional=FIELD_VALUES)


def expected_after(before: User, patch: dict[str, Any]) -> dict[str, Any]:
    """What a reader sees after the patch: the documented meaning of each given field, the rest untouched."""
    expected = {
        "full_name": before.full_name,
        "email": before.email,
        "username": before.username.value,
        "roles": before.roles,
        "status": before.status,
        "preferences": before.preferences,
    }
    if "full_name" in patch:
        expected["full_name"] = (patch["full_name"] or "").strip()
    if "email" in patch:
        expected["email"] = EmailAddress(patch["email"])
    for name in ("username", "roles", "status"):
        if name in patch:
            expected[name] = patch[name]
    defaults = Preferences()
    expected["preferences"] = Preferences(
        locale=(patch["locale"] or defaults.locale) if "locale" in patch else before.preferences.locale,
        timezone=(patch["timezone"] or defaults.timezone) if "timezone" in patch else before.preferences.timezone,
    )
    return expected


def observed(user: User) -> dict[str, Any]:
    return {
        "full_name": user.full_name,
        "email": user.email,
        "username": user.username.value,
        "roles": user.roles,
        "status": user.status,
        "preferences": user.preferences,
    }


@settings(max_examples=150)
@given(patch=patches)
async def test_a_patch_sets_what_it_gives_keeps_the_rest_and_is_one_version_iff_it_changes_something(
    patch: dict[str, Any],
) -> None:
    world = World()
    tenant = world.tenant()
    owner = world.user(tenant, "owner", roles=[Role.OWNER])
    before = world.user(tenant, "target", roles=[Role.MEMBER], full_name="Target")
    updated = await UpdateUser(world.uow, world.clock)(
        UpdateUserCommand(actor=actor(owner), user_id=before.id, expected_version=before.version, **patch)
    )
    read_back = await GetUser(world.uow)(GetUserQuery(actor=actor(owner), user_id=before.id))
    expected = expected_after(before, patch)
    assert observed(read_back) == observed(updated) == expected
    effective = expected != observed(before)
    assert read_back.version == before.version + (1 if effective else 0)
    assert len(world.bus.of_type(UserUpdated)) == (1 if effective else 0)
    assert world.db.commits == (1 if effective else 0)


async def test_an_empty_patch_changes_nothing(world: World) -> None:
    tenant = world.tenant()
    user = world.user(tenant, "ann")
    same = await UpdateUser(world.uow, world.clock)(UpdateUserCommand(actor=actor(user), user_id=user.id))
    assert (same.version, world.db.commits, world.bus.published) == (1, 0, [])


async def test_a_stale_expected_version_is_a_version_conflict(world: World) -> None:
    user = world.user(world.tenant(), "ann", version=3)
    with pytest.raises(VersionConflict) as raised:
        await UpdateUser(world.uow, world.clock)(
            UpdateUserCommand(actor=actor(user), user_id=user.id, expected_version=2, full_name="Ann")
        )
    assert raised.value.context == {"expected_version": 2, "current_version": 3}


async def test_a_change_committed_meanwhile_is_a_version_conflict_at_commit(world: World) -> None:
    user = world.user(world.tenant(), "ann")

    def someone_else_saves_first() -> None:
        world.db.users[user.id].version += 1

    world.db.before_commit.append(someone_else_saves_first)
    with pytest.raises(VersionConflict):
        await UpdateUser(world.uow, world.clock)(UpdateUserCommand(actor=actor(user), user_id=user.id, full_name="Ann"))
    assert world.stored(user).full_name == user.full_name
    assert world.bus.published == []


@pytest.mark.parametrize(
    ("patch", "error"), [({"email": "bob@example.com"}, EmailAlreadyUsed), ({"username": "bob"}, UsernameAlreadyUsed)]
)
async def test_taking_another_users_email_or_username_is_a_conflict(
    world: World, patch: dict[str, str], error: type[Exception]
) -> None:
    tenant = world.tenant()
    owner = world.user(tenant, "owner", roles=[Role.OWNER])
    world.user(tenant, "bob")
    with pytest.raises(error):
        await UpdateUser(world.uow, world.clock)(UpdateUserCommand(actor=actor(owner), user_id=owner.id, **patch))


async def test_a_deleted_users_email_and_username_may_be_taken(world: World) -> None:
    tenant = world.tenant()
    owner = world.user(tenant, "owner", roles=[Role.OWNER])
    world.user(tenant, "bob", deleted_at=world.clock.now())
    updated = await UpdateUser(world.uow, world.clock)(
        UpdateUserCommand(actor=actor(owner), user_id=owner.id, email="bob@example.com", username="bob")
    )
    assert (world.stored(updated).email.value, world.stored(updated).username.value) == ("bob@example.com", "bob")
    assert world.stored(updated).version == 2


@pytest.mark.parametrize(
    "patch", [{"roles": [Role.ADMIN]}, {"status": UserStatus.DISABLED}, {"roles": ["member"], "status": "disabled"}]
)
async def test_the_last_active_owner_cannot_stop_being_one(world: World, patch: dict[str, Any]) -> None:
    tenant = world.tenant()
    owner = world.user(tenant, "owner", roles=[Role.OWNER])
    world.user(tenant, "disabled-owner", roles=[Role.OWNER], status=UserStatus.DISABLED)
    with pytest.raises(LastOwnerRequired):
        await UpdateUser(world.uow, world.clock)(UpdateUserCommand(actor=actor(owner), user_id=owner.id, **patch))
    assert world.stored(owner).roles == {Role.OWNER}


async def test_an_owner_may_step_down_when_another_owner_remains(world: World) -> None:
    tenant = world.tenant()
    owner = world.user(tenant, "owner", roles=[Role.OWNER])
    world.user(tenant, "co-owner", roles=[Role.OWNER])
    await UpdateUser(world.uow, world.clock)(
        UpdateUserCommand(actor=actor(owner), user_id=owner.id, roles=[Role.ADMIN])
    )
    assert world.stored(owner).roles == {Role.ADMIN}


async def test_members_change_their_own_profile_only(world: World) -> None:
    tenant = world.tenant()
    member, other = world.user(tenant, "member"), world.user(tenant, "other")
    update = UpdateUser(world.uow, world.clock)
    await update(UpdateUserCommand(actor=actor(member), user_id=member.id, full_name="Me", timezone="Asia/Tokyo"))
    await update(UpdateUserCommand(actor=actor(member), user_id=member.id, roles=[Role.MEMBER]))  # unchanged: fine
    for command in (
        UpdateUserCommand(actor=actor(member), user_id=member.id, roles=[Role.MEMBER, Role.ADMIN]),
        UpdateUserCommand(actor=actor(member), user_id=member.id, email="me@elsewhere.example"),
        UpdateUserCommand(actor=actor(member), user_id=other.id, full_name="Not Mine"),
    ):
        with pytest.raises(PermissionDenied):
            await update(command)
    assert (world.stored(member).full_name, world.stored(member).version) == ("Me", 2)


async def test_admins_manage_members_but_not_owners_or_the_owner_role(world: World) -> None:
    tenant = world.tenant()
    admin = world.user(tenant, "admin", roles=[Role.ADMIN])
    owner, member = world.user(tenant, "owner", roles=[Role.OWNER]), world.user(tenant, "member")
    update = UpdateUser(world.uow, world.clock)
    await update(UpdateUserCommand(actor=actor(admin), user_id=member.id, roles=[Role.ADMIN], status="disabled"))
    assert (world.stored(member).roles, world.stored(member).status) == ({Role.ADMIN}, UserStatus.DISABLED)
    for command in (
        UpdateUserCommand(actor=actor(admin), user_id=member.id, roles=[Role.OWNER]),
        UpdateUserCommand(actor=actor(admin), user_id=owner.id, full_name="Demoted"),
        UpdateUserCommand(actor=actor(admin), user_id=admin.id, roles=[Role.ADMIN, Role.OWNER]),
    ):
        with pytest.raises(PermissionDenied):
            await update(command)


async def test_users_of_other_tenants_and_deleted_users_are_not_found(world: World) -> None:
    tenant = world.tenant()
    owner = world.user(tenant, "owner", roles=[Role.OWNER])
    gone = world.user(tenant, "gone", deleted_at=world.clock.now())
    stranger = world.user(world.tenant("other"), "stranger")
    for user_id in (gone.id, stranger.id):
        with pytest.raises(UserNotFound):
            await UpdateUser(world.uow, world.clock)(
                UpdateUserCommand(actor=actor(owner), user_id=user_id, full_name="X")
            )


@pytest.mark.parametrize(
    ("patch", "error"), [({"timezone": "Moon/Base"}, InvalidTimezone), ({"status": "gone"}, InvalidStatus)]
)
async def test_invalid_values_are_refused(world: World, patch: dict[str, str], error: type[Exception]) -> None:
    owner = world.user(world.tenant(), "owner", roles=[Role.OWNER])
    with pytest.raises(error):
        await UpdateUser(world.uow, world.clock)(UpdateUserCommand(actor=actor(owner), user_id=owner.id, **patch))


def test_unset_is_not_none() -> None:
    command = UpdateUserCommand(actor=None, user_id=None, full_name=None)  # type: ignore[arg-type]
    assert command.full_name is None
    assert command.email is UNSET
    assert repr(UNSET) == "UNSET"
