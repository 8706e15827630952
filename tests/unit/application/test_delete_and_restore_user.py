"""DeleteUser and RestoreUser: soft deletion with events and versions, the tenant keeps an owner, and a restore needs
the user's email and username to be free of non-deleted users."""

from __future__ import annotations

import pytest

from factories import UserFactory
from fakes.world import PASSWORD, World, actor
from keel.application.errors import PermissionDenied
from keel.application.users import (
    CreateUser,
    CreateUserCommand,
    DeleteUser,
    DeleteUserCommand,
    GetUser,
    GetUserQuery,
    NewUser,
    RestoreUser,
    RestoreUserCommand,
)
from keel.domain.errors import Conflict, VersionConflict
from keel.domain.users import (
    EmailAddress,
    EmailAlreadyUsed,
    LastOwnerRequired,
    Role,
    UserCreated,
    UserDeleted,
    Username,
    UsernameAlreadyUsed,
    UserNotFound,
    UserRestored,
    UserStatus,
)


async def test_a_deleted_user_disappears_and_comes_back_on_restore(world: World) -> None:
    tenant = world.tenant()
    admin, member = world.user(tenant, "admin", roles=[Role.ADMIN]), world.user(tenant, "member")
    await DeleteUser(world.uow, world.clock)(
        DeleteUserCommand(actor=actor(admin), user_id=member.id, expected_version=1)
    )
    with pytest.raises(UserNotFound):
        await GetUser(world.uow)(GetUserQuery(actor=actor(admin), user_id=member.id))
    assert (world.stored(member).deleted_at, world.stored(member).version) == (world.clock.now(), 2)

    world.clock.advance(hours=1)
    restored = await RestoreUser(world.uow, world.clock)(
        RestoreUserCommand(actor=actor(admin), user_id=member.id, expected_version=2)
    )
    assert (restored.is_deleted, restored.version) == (False, 3)
    assert (await GetUser(world.uow)(GetUserQuery(actor=actor(admin), user_id=member.id))).email == member.email
    assert [(type(e), e.version) for e in world.bus.published] == [(UserDeleted, 2), (UserRestored, 3)]  # type: ignore[attr-defined]


async def test_deleting_twice_is_not_found_and_restoring_a_live_user_changes_nothing(world: World) -> None:
    tenant = world.tenant()
    owner, member = world.user(tenant, "owner", roles=[Role.OWNER]), world.user(tenant, "member")
    delete, restore = DeleteUser(world.uow, world.clock), RestoreUser(world.uow, world.clock)
    await delete(DeleteUserCommand(actor=actor(owner), user_id=member.id))
    with pytest.raises(UserNotFound):
        await delete(DeleteUserCommand(actor=actor(owner), user_id=member.id))
    world.db.statements.clear()
    alive = await restore(RestoreUserCommand(actor=actor(owner), user_id=owner.id))
    assert (alive.is_deleted, alive.version, world.db.commits) == (False, 1, 1)
    assert world.db.statements == {"users.get": 1}


async def test_a_deleted_users_email_goes_to_a_new_user_and_then_the_restore_is_a_conflict(world: World) -> None:
    tenant = world.tenant()
    owner, ann = world.user(tenant, "owner", roles=[Role.OWNER]), world.user(tenant, "ann")
    await DeleteUser(world.uow, world.clock)(DeleteUserCommand(actor=actor(owner), user_id=ann.id))
    newcomer = await CreateUser(world.uow, world.hasher, world.clock, world.ids)(
        CreateUserCommand(
            actor=actor(owner), user=NewUser(email="ANN@example.com", username="ann-again", password=PASSWORD)
        )
    )
    with pytest.raises(EmailAlreadyUsed) as raised:
        await RestoreUser(world.uow, world.clock)(RestoreUserCommand(actor=actor(owner), user_id=ann.id))
    assert raised.value.context == {"field": "email"}
    assert (world.stored(ann).is_deleted, world.stored(ann).version) == (True, 2)
    assert world.stored(newcomer).email == ann.email
    assert [type(e) for e in world.bus.published] == [UserDeleted, UserCreated]


@pytest.mark.parametrize(
    ("holder_fields", "error", "field"),
    [
        ({"email": EmailAddress("ann@example.com")}, EmailAlreadyUsed, "email"),
        ({"username": Username("ann")}, UsernameAlreadyUsed, "username"),
    ],
)
async def test_restoring_a_user_whose_email_or_username_is_taken_is_a_conflict_naming_the_field(
    world: World, holder_fields: dict[str, object], error: type[Conflict], field: str
) -> None:
    tenant = world.tenant()
    owner = world.user(tenant, "owner", roles=[Role.OWNER])
    ann = world.user(tenant, "ann", deleted_at=world.clock.now(), version=2)
    world.db.seed(UserFactory.build(tenant_id=tenant.id, **holder_fields))
    with pytest.raises(error) as raised:
        await RestoreUser(world.uow, world.clock)(RestoreUserCommand(actor=actor(owner), user_id=ann.id))
    assert raised.value.context == {"field": field}
    assert (world.stored(ann).is_deleted, world.stored(ann).version, world.db.commits) == (True, 2, 0)
    assert world.bus.published == []


async def test_a_restore_ignores_other_deleted_users_with_the_same_email_and_username(world: World) -> None:
    tenant = world.tenant()
    owner = world.user(tenant, "owner", roles=[Role.OWNER])
    ann = world.user(tenant, "ann", deleted_at=world.clock.now(), version=2)
    world.user(tenant, "ann", deleted_at=world.clock.now())
    world.clock.advance(minutes=5)
    restored = await RestoreUser(world.uow, world.clock)(
        RestoreUserCommand(actor=actor(owner), user_id=ann.id, expected_version=2)
    )
    assert (restored.is_deleted, restored.version, restored.updated_at) == (False, 3, world.clock.now())
    assert world.stored(ann).version == 3
    assert [(type(e), e.user_id, e.version) for e in world.bus.published] == [(UserRestored, ann.id, 3)]  # type: ignore[attr-defined]


async def test_an_email_taken_while_restoring_fails_at_commit_and_nothing_is_published(world: World) -> None:
    tenant = world.tenant()
    owner = world.user(tenant, "owner", roles=[Role.OWNER])
    ann = world.user(tenant, "ann", deleted_at=world.clock.now(), version=2)
    rival = UserFactory.build(tenant_id=tenant.id, email=EmailAddress("ann@example.com"))
    world.db.before_commit.append(lambda: world.db.seed(rival))
    with pytest.raises(EmailAlreadyUsed):
        await RestoreUser(world.uow, world.clock)(RestoreUserCommand(actor=actor(owner), user_id=ann.id))
    assert (world.stored(ann).is_deleted, world.stored(ann).version) == (True, 2)
    assert world.bus.published == []


async def test_a_stale_version_is_refused(world: World) -> None:
    tenant = world.tenant()
    owner, member = world.user(tenant, "owner", roles=[Role.OWNER]), world.user(tenant, "member", version=4)
    with pytest.raises(VersionConflict):
        await DeleteUser(world.uow, world.clock)(
            DeleteUserCommand(actor=actor(owner), user_id=member.id, expected_version=3)
        )
    assert not world.stored(member).is_deleted


async def test_the_last_active_owner_cannot_be_deleted(world: World) -> None:
    tenant = world.tenant()
    owner = world.user(tenant, "owner", roles=[Role.OWNER])
    world.user(tenant, "former", roles=[Role.OWNER], status=UserStatus.DISABLED)
    with pytest.raises(LastOwnerRequired):
        await DeleteUser(world.uow, world.clock)(DeleteUserCommand(actor=actor(owner), user_id=owner.id))
    assert not world.stored(owner).is_deleted


async def test_an_owner_may_delete_another_owner(world: World) -> None:
    tenant = world.tenant()
    owner, other = world.user(tenant, "owner", roles=[Role.OWNER]), world.user(tenant, "other", roles=[Role.OWNER])
    await DeleteUser(world.uow, world.clock)(DeleteUserCommand(actor=actor(owner), user_id=other.id))
    assert world.stored(other).is_deleted


async def test_members_delete_nobody_and_admins_spare_owners(world: World) -> None:
    tenant = world.tenant()
    owner, admin = world.user(tenant, "owner", roles=[Role.OWNER]), world.user(tenant, "admin", roles=[Role.ADMIN])
    member = world.user(tenant, "member")
    gone_owner = world.user(tenant, "gone", roles=[Role.OWNER], deleted_at=world.clock.now())
    for attempt in (
        DeleteUser(world.uow, world.clock)(DeleteUserCommand(actor=actor(member), user_id=admin.id)),
        DeleteUser(world.uow, world.clock)(DeleteUserCommand(actor=actor(admin), user_id=owner.id)),
        RestoreUser(world.uow, world.clock)(RestoreUserCommand(actor=actor(admin), user_id=gone_owner.id)),
    ):
        with pytest.raises(PermissionDenied):
            await attempt
    assert world.db.commits == 0


async def test_another_tenants_user_is_not_found(world: World) -> None:
    owner = world.user(world.tenant(), "owner", roles=[Role.OWNER])
    stranger = world.user(world.tenant("other"), "stranger", deleted_at=world.clock.now())
    with pytest.raises(UserNotFound):
        await RestoreUser(world.uow, world.clock)(RestoreUserCommand(actor=actor(owner), user_id=stranger.id))
