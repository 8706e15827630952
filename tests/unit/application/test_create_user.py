"""CreateUser: owners and admins add users; email and username are unique among the tenant's non-deleted users,
enforced at commit too."""

from __future__ import annotations

import pytest

from factories import UserFactory
from fakes import fake_hash
from fakes.world import PASSWORD, World, actor
from keel.application.errors import PermissionDenied
from keel.application.users import CreateUser, CreateUserCommand, NewUser
from keel.domain.users import (
    EmailAddress,
    EmailAlreadyUsed,
    InvalidTimezone,
    Preferences,
    Role,
    UserCreated,
    UsernameAlreadyUsed,
)


def new_user(**overrides: object) -> NewUser:
    fields: dict[str, object] = {"email": "New@Example.com", "username": "newbie", "password": PASSWORD} | overrides
    return NewUser(**fields)  # type: ignore[arg-type]


def create_user(world: World) -> CreateUser:
    return CreateUser(world.uow, world.hasher, world.clock, world.ids)


async def test_an_admin_creates_a_member_with_a_hashed_password(world: World) -> None:
    tenant = world.tenant()
    admin = world.user(tenant, "admin", roles=[Role.ADMIN])
    user = await create_user(world)(
        CreateUserCommand(
            actor=actor(admin), user=new_user(full_name="Nel Newbie", locale="fr-FR", timezone="Europe/Paris")
        )
    )
    stored = world.stored(user)
    assert (stored.tenant_id, stored.email.value, stored.username.value) == (tenant.id, "new@example.com", "newbie")
    assert (stored.roles, stored.version, stored.preferences) == (
        {Role.MEMBER},
        1,
        Preferences("fr-FR", "Europe/Paris"),
    )
    assert world.db.password_hashes[user.id] == fake_hash(PASSWORD)
    assert world.bus.of_type(UserCreated)[0].user_id == user.id


@pytest.mark.parametrize(
    ("overrides", "error"),
    [({"email": "TAKEN@example.com"}, EmailAlreadyUsed), ({"username": "taken"}, UsernameAlreadyUsed)],
)
async def test_a_taken_email_or_username_is_a_conflict(
    world: World, overrides: dict[str, str], error: type[Exception]
) -> None:
    tenant = world.tenant()
    owner = world.user(tenant, "owner", roles=[Role.OWNER])
    world.user(tenant, "taken")
    with pytest.raises(error):
        await create_user(world)(CreateUserCommand(actor=actor(owner), user=new_user(**overrides)))
    assert len(world.db.users) == 2


async def test_a_deleted_users_email_and_username_are_free_for_a_new_user(world: World) -> None:
    tenant = world.tenant()
    owner = world.user(tenant, "owner", roles=[Role.OWNER])
    gone = world.user(tenant, "gone", deleted_at=world.clock.now())
    user = await create_user(world)(
        CreateUserCommand(actor=actor(owner), user=new_user(email="Gone@example.com", username="gone"))
    )
    assert (world.stored(user).email, world.stored(user).username) == (gone.email, gone.username)
    assert (world.stored(user).is_deleted, world.stored(gone).is_deleted) == (False, True)
    assert world.db.commits == 1


async def test_the_same_email_in_another_tenant_is_fine(world: World) -> None:
    owner = world.user(world.tenant("acme"), "owner", roles=[Role.OWNER])
    world.user(world.tenant("other"), "newbie")
    user = await create_user(world)(CreateUserCommand(actor=actor(owner), user=new_user(email="newbie@example.com")))
    assert world.stored(user).tenant_id == owner.tenant_id


async def test_an_email_taken_concurrently_fails_at_commit_and_nothing_is_published(world: World) -> None:
    tenant = world.tenant()
    owner = world.user(tenant, "owner", roles=[Role.OWNER])
    rival = UserFactory.build(tenant_id=tenant.id, email=EmailAddress("new@example.com"))
    world.db.before_commit.append(lambda: world.db.seed(rival))
    with pytest.raises(EmailAlreadyUsed):
        await create_user(world)(CreateUserCommand(actor=actor(owner), user=new_user()))
    assert set(world.db.users) == {owner.id, rival.id}
    assert world.bus.published == []


@pytest.mark.parametrize(("actor_roles", "new_roles"), [([Role.MEMBER], [Role.MEMBER]), ([Role.ADMIN], [Role.OWNER])])
async def test_members_create_nobody_and_admins_make_no_owners(
    world: World, actor_roles: list[Role], new_roles: list[Role]
) -> None:
    someone = world.user(world.tenant(), "someone", roles=actor_roles)
    with pytest.raises(PermissionDenied):
        await create_user(world)(CreateUserCommand(actor=actor(someone), user=new_user(roles=new_roles)))
    assert len(world.db.users) == 1


async def test_invalid_preferences_are_refused(world: World) -> None:
    owner = world.user(world.tenant(), "owner", roles=[Role.OWNER])
    with pytest.raises(InvalidTimezone):
        await create_user(world)(CreateUserCommand(actor=actor(owner), user=new_user(timezone="Nowhere/Special")))
