"""DeleteUser and RestoreUser: soft deletion with events and versions, and the tenant keeps an owner."""

from __future__ import annotations

import pytest

from fakes.world import World, actor
from keel.application.errors import PermissionDenied
from keel.application.users import (
    DeleteUser,
    DeleteUserCommand,
    GetUser,
    GetUserQuery,
    RestoreUser,
    RestoreUserCommand,
)
from keel.domain.errors import VersionConflict
from keel.domain.users import LastOwnerRequired, Role, UserDeleted, UserNotFound, UserRestored, UserStatus


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
    alive = await restore(RestoreUserCommand(actor=actor(owner), user_id=owner.id))
    assert (alive.version, world.db.commits) == (1, 1)


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
