"""Tenants and users survive the trip to PostgreSQL and back, every field intact, and reads stay in their tenant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from persistence_support import PASSWORD, MakeUow, MakeUser, Store, with_password

from factories import TenantFactory, UserFactory
from fakes.passwords import fake_hash
from keel.application.users import UserQuery
from keel.domain.ids import uuid7
from keel.domain.tenants import Tenant, TenantSlug, TenantStatus
from keel.domain.users import EmailAddress, PasswordHash, Preferences, Role, User, Username, UserStatus

pytestmark = pytest.mark.integration

PARIS = timezone(timedelta(hours=1))


def _fields(user: User) -> dict[str, object]:
    return {name: getattr(user, name) for name in User.__dataclass_fields__ if not name.startswith("_")}


async def test_a_tenant_round_trips(uow: MakeUow) -> None:
    tenant = Tenant(
        id=uuid7(),
        slug=TenantSlug("acme-corp"),
        name="Acme Corp — Zürich",
        status=TenantStatus.SUSPENDED,
        created_at=datetime(2025, 3, 1, 8, 30, 15, 123456, tzinfo=UTC),
    )
    async with uow() as work:
        await work.tenants.add(tenant)
        await work.commit()

    async with uow() as work:
        by_id = await work.tenants.get(tenant.id)
        by_slug = await work.tenants.get_by_slug(TenantSlug("acme-corp"))
        missing = await work.tenants.get_by_slug(TenantSlug("nobody"))

    assert by_id is not None
    assert by_slug is not None
    assert missing is None
    for loaded in (by_id, by_slug):
        assert (loaded.id, loaded.slug, loaded.name, loaded.status, loaded.created_at) == (
            tenant.id,
            tenant.slug,
            tenant.name,
            tenant.status,
            tenant.created_at,
        )
        assert loaded.created_at.tzinfo is not None
        assert loaded.pending_events == ()


async def test_every_field_of_a_user_round_trips(uow: MakeUow, tenant: Tenant, store: Store) -> None:
    user: User = UserFactory.build(
        tenant_id=tenant.id,
        email=EmailAddress("ada.lovelace+test@example.com"),
        username=Username("ada_l.1815"),
        full_name="Ada Lovelace — Countess of Lovelace",
        roles=frozenset({Role.OWNER, Role.ADMIN}),
        status=UserStatus.DISABLED,
        preferences=Preferences(locale="pt-BR", timezone="America/Sao_Paulo"),
        email_verified_at=datetime(2025, 2, 1, 9, 0, 0, 1, tzinfo=PARIS),
        created_at=datetime(2025, 1, 1, 12, 0, 0, 999999, tzinfo=UTC),
        updated_at=datetime(2025, 2, 2, 12, 0, tzinfo=UTC),
        deleted_at=datetime(2025, 2, 3, 12, 0, tzinfo=UTC),
        version=7,
    )
    await store(user)

    async with uow() as work:
        loaded = await work.users.get(tenant.id, user.id, include_deleted=True)
        hidden = await work.users.get(tenant.id, user.id)

    assert loaded is not None
    assert hidden is None  # deleted users are hidden unless asked for
    assert _fields(loaded) == _fields(user)
    assert loaded.email_verified_at == datetime(2025, 2, 1, 8, 0, 0, 1, tzinfo=UTC)
    assert all(
        moment is not None and moment.utcoffset() == timedelta(0)
        for moment in (loaded.created_at, loaded.updated_at, loaded.deleted_at, loaded.email_verified_at)
    )
    assert loaded.roles == frozenset({Role.OWNER, Role.ADMIN})
    assert loaded.pending_events == ()


async def test_a_user_read_by_find_is_the_same_as_by_get(uow: MakeUow, tenant: Tenant, make_user: MakeUser) -> None:
    user = await make_user(
        tenant, "bob", roles=(Role.ADMIN, Role.MEMBER), preferences=Preferences("fr", "Europe/Paris")
    )

    async with uow() as work:
        (found,) = await work.users.find(tenant.id, UserQuery(), limit=10)

    assert _fields(found) == _fields(user)


async def test_credentials_carry_the_password_hash_and_rehashing_keeps_the_version(
    uow: MakeUow, tenant: Tenant, make_user: MakeUser
) -> None:
    user = await make_user(tenant, "carol")

    async with uow() as work:
        credentials = await work.users.get_credentials(tenant.id, EmailAddress("CAROL@example.com"))
        await work.users.replace_password_hash(tenant.id, user.id, PasswordHash("fake$v3$new"))
        await work.commit()
    async with uow() as work:
        rehashed = await work.users.get_credentials(tenant.id, user.email)

    assert credentials is not None
    assert rehashed is not None
    assert credentials.password_hash == fake_hash(PASSWORD)
    assert _fields(credentials.user) == _fields(user)
    assert rehashed.password_hash == PasswordHash("fake$v3$new")
    assert rehashed.user.version == user.version


async def test_credentials_are_those_of_the_user_who_is_not_deleted(
    uow: MakeUow, tenant: Tenant, make_user: MakeUser
) -> None:
    gone = await make_user(tenant, "dave", deleted_at=datetime(2025, 1, 2, tzinfo=UTC))
    current: User = UserFactory.build(tenant_id=tenant.id, email=gone.email, username=Username("dave2"))
    async with uow() as work:
        only_deleted = await work.users.get_credentials(tenant.id, gone.email)
        await work.users.add(with_password(current))
        await work.commit()
    async with uow() as work:
        both = await work.users.get_credentials(tenant.id, gone.email)

    assert only_deleted is None  # a deleted user cannot log in
    assert both is not None
    assert both.user.id == current.id


async def test_reads_never_cross_tenants(uow: MakeUow, store: Store, make_user: MakeUser) -> None:
    acme, globex = TenantFactory.build(), TenantFactory.build()
    await store(acme, globex)
    owner = await make_user(acme, "erin", roles=(Role.OWNER,))

    async with uow() as work:
        assert await work.users.get(acme.id, owner.id) is not None
        assert await work.users.get(globex.id, owner.id, include_deleted=True) is None
        assert await work.users.find(globex.id, UserQuery(include_deleted=True), limit=10) == []
        assert await work.users.get_credentials(globex.id, owner.email) is None
        taken = await work.users.existing_emails_and_usernames(globex.id, [owner.email], [owner.username])
        assert taken.emails == frozenset()
        assert taken.usernames == frozenset()
        assert await work.users.count_active_owners(globex.id) == 0
        assert await work.users.count_active_owners(acme.id) == 1
        await work.users.replace_password_hash(globex.id, owner.id, PasswordHash("fake$v2$intruder"))
        await work.commit()
    async with uow() as work:
        credentials = await work.users.get_credentials(acme.id, owner.email)
    assert credentials is not None
    assert credentials.password_hash == fake_hash(PASSWORD)
