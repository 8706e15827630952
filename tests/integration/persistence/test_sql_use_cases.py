"""The use cases on the real unit of work and PostgreSQL: the users slice works end to end below the API."""

from __future__ import annotations

import asyncio

import pytest
from persistence_support import PASSWORD, MakeUow

from fakes.clock import FakeClock
from fakes.passwords import FakePasswordHasher
from fakes.tokens import FakeTokenIssuer
from keel.application.auth import InvalidCredentials, Login, LoginCommand, SessionTokens
from keel.application.tenants import CreatedTenant, CreateTenant, CreateTenantCommand
from keel.application.users import (
    Actor,
    CreateUser,
    CreateUserCommand,
    CreateUsersBatch,
    CreateUsersBatchCommand,
    DeleteUser,
    DeleteUserCommand,
    ListUsers,
    ListUsersQuery,
    NewUser,
    RestoreUser,
    RestoreUserCommand,
    UpdateUser,
    UpdateUserCommand,
    UserQuery,
    UserSort,
)
from keel.domain.errors import VersionConflict
from keel.domain.events import DomainEvent
from keel.domain.ids import Uuid7Generator
from keel.domain.tenants import TenantCreated, TenantSlugTaken
from keel.domain.users import (
    MAX_BATCH_SIZE,
    EmailAlreadyUsed,
    LastOwnerRequired,
    Role,
    User,
    UserCreated,
    UserDeleted,
    UserRestored,
    UserUpdated,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def hasher() -> FakePasswordHasher:
    return FakePasswordHasher()


@pytest.fixture
def create_tenant(uow: MakeUow, hasher: FakePasswordHasher, clock: FakeClock) -> CreateTenant:
    return CreateTenant(uow, hasher, clock, Uuid7Generator())


def _tenant_command(slug: str = "acme", owner: str = "olga") -> CreateTenantCommand:
    return CreateTenantCommand(
        slug=slug, name="Acme", owner_email=f"{owner}@example.com", owner_username=owner, owner_password=PASSWORD
    )


@pytest.fixture
async def acme(create_tenant: CreateTenant) -> CreatedTenant:
    return await create_tenant(_tenant_command())


@pytest.fixture
def owner(acme: CreatedTenant) -> Actor:
    return Actor(user_id=acme.owner.id, tenant_id=acme.tenant.id, roles=acme.owner.roles)


@pytest.fixture
def create_user(uow: MakeUow, hasher: FakePasswordHasher, clock: FakeClock) -> CreateUser:
    return CreateUser(uow, hasher, clock, Uuid7Generator())


def _sessions(tokens: FakeTokenIssuer) -> SessionTokens:
    return SessionTokens(tokens, Uuid7Generator(), refresh_ttl_seconds=3600)


async def _listed(uow: MakeUow, actor: Actor, **criteria: object) -> list[str]:
    page = await ListUsers(uow)(ListUsersQuery(actor=actor, criteria=UserQuery(**criteria)))  # type: ignore[arg-type]
    return [user.username.value for user in page.items]


async def test_a_new_tenant_and_its_owner_can_log_in(
    acme: CreatedTenant, uow: MakeUow, hasher: FakePasswordHasher, published: list[DomainEvent]
) -> None:
    tokens = FakeTokenIssuer()
    login = Login(uow, hasher, _sessions(tokens), FakeClock())

    await login(LoginCommand(tenant_slug="acme", email="OLGA@example.com", password=PASSWORD))
    with pytest.raises(InvalidCredentials):
        await login(LoginCommand(tenant_slug="acme", email="olga@example.com", password="wrong password!"))

    assert tokens.issued_to == [acme.owner.id]
    assert [type(event) for event in published] == [TenantCreated, UserCreated]


async def test_log_in_replaces_an_outdated_hash(acme: CreatedTenant, uow: MakeUow) -> None:
    newer = FakePasswordHasher(scheme="v3")
    await Login(uow, newer, _sessions(FakeTokenIssuer()), FakeClock())(
        LoginCommand(tenant_slug="acme", email="olga@example.com", password=PASSWORD)
    )

    async with uow() as work:
        credentials = await work.users.get_credentials(acme.tenant.id, acme.owner.email)
    assert credentials is not None
    assert not newer.needs_rehash(credentials.password_hash)


async def test_a_taken_slug_is_refused_even_when_two_tenants_race_for_it(create_tenant: CreateTenant) -> None:
    results = await asyncio.gather(
        create_tenant(_tenant_command("race", "ann")),
        create_tenant(_tenant_command("race", "bob")),
        return_exceptions=True,
    )
    assert sorted(type(result).__name__ for result in results) == ["CreatedTenant", "TenantSlugTaken"]
    with pytest.raises(TenantSlugTaken):
        await create_tenant(_tenant_command("race", "cid"))


async def test_a_batch_is_checked_with_one_select_and_stored_with_one_insert(
    *,
    acme: CreatedTenant,
    owner: Actor,
    uow: MakeUow,
    hasher: FakePasswordHasher,
    clock: FakeClock,
    statements: list[str],
) -> None:
    create_batch = CreateUsersBatch(uow, hasher, clock, Uuid7Generator())
    items = [NewUser(email=f"user{i}@example.com", username=f"user{i:03d}", password=PASSWORD) for i in range(97)]
    items += [
        NewUser(email="olga@example.com", username="olga2", password=PASSWORD),  # the owner's email
        NewUser(email="user1@example.com", username="dup", password=PASSWORD),  # item 1's email
        NewUser(email="not an email", username="bad", password=PASSWORD),
    ]
    assert len(items) == MAX_BATCH_SIZE
    statements.clear()

    result = await create_batch(CreateUsersBatchCommand(actor=owner, users=items))

    assert [(error.index, error.code) for error in result.errors] == [
        (97, "email_already_used"),
        (98, "email_already_used"),
        (99, "invalid_email"),
    ]
    assert len(result.created) == 97
    assert [statement.split()[0] for statement in statements] == ["SELECT", "INSERT"]
    assert len(await _listed(uow, owner, limit=100)) == 98


async def test_update_delete_and_restore_keep_versions_and_uniqueness(
    *,
    acme: CreatedTenant,
    owner: Actor,
    uow: MakeUow,
    create_user: CreateUser,
    clock: FakeClock,
    published: list[DomainEvent],
) -> None:
    ann = await create_user(
        CreateUserCommand(actor=owner, user=NewUser(email="ann@example.com", username="ann", password=PASSWORD))
    )
    update, delete, restore = UpdateUser(uow, clock), DeleteUser(uow, clock), RestoreUser(uow, clock)

    renamed = await update(UpdateUserCommand(actor=owner, user_id=ann.id, expected_version=1, full_name="Ann A."))
    with pytest.raises(VersionConflict):
        await update(UpdateUserCommand(actor=owner, user_id=ann.id, expected_version=1, full_name="Stale"))
    await delete(DeleteUserCommand(actor=owner, user_id=ann.id, expected_version=2))
    # Her email is free now: a new user takes it.
    ann2 = await create_user(
        CreateUserCommand(actor=owner, user=NewUser(email="ann@example.com", username="ann2", password=PASSWORD))
    )
    with pytest.raises(EmailAlreadyUsed):
        await restore(RestoreUserCommand(actor=owner, user_id=ann.id))
    await update(UpdateUserCommand(actor=owner, user_id=ann2.id, email="ann.two@example.com"))
    restored = await restore(RestoreUserCommand(actor=owner, user_id=ann.id, expected_version=3))

    assert renamed.version == 2
    assert restored.version == 4
    assert not restored.is_deleted
    assert await _listed(uow, owner, sort=UserSort.USERNAME) == ["ann", "ann2", "olga"]
    assert [type(event) for event in published if getattr(event, "user_id", None) == ann.id] == [
        UserCreated,
        UserUpdated,
        UserDeleted,
        UserRestored,
    ]


async def test_the_last_owner_cannot_be_deleted_or_demoted(
    acme: CreatedTenant, owner: Actor, uow: MakeUow, clock: FakeClock
) -> None:
    with pytest.raises(LastOwnerRequired):
        await DeleteUser(uow, clock)(DeleteUserCommand(actor=owner, user_id=acme.owner.id))
    with pytest.raises(LastOwnerRequired):
        await UpdateUser(uow, clock)(UpdateUserCommand(actor=owner, user_id=acme.owner.id, roles=[Role.ADMIN]))

    async with uow() as work:
        stored = await work.users.get(acme.tenant.id, acme.owner.id)
    assert isinstance(stored, User)
    assert stored.version == 1
