"""CreateTenant: a new tenant and its first owner, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field

from keel.application.ports import Clock, IdGenerator, PasswordHasher
from keel.application.unit_of_work import UnitOfWorkFactory
from keel.application.users.new_user import NewUser
from keel.domain.tenants import Tenant, TenantSlug, TenantSlugTaken, clean_tenant_name
from keel.domain.users import Role, User, UserCredentials


@dataclass(frozen=True, kw_only=True)
class CreateTenantCommand:
    slug: str
    name: str
    owner_email: str
    owner_username: str
    owner_password: str = field(repr=False)
    owner_full_name: str = ""


@dataclass(frozen=True, slots=True)
class CreatedTenant:
    tenant: Tenant
    owner: User


class CreateTenant:
    """Validate everything, hash the owner's password outside the transaction, check the slug early, store both.

    A concurrent creation with the same slug still fails cleanly: the database's constraint raises ``TenantSlugTaken``
    from the write or the commit. The new tenant has no other user, so the owner's email and username are free.
    """

    def __init__(self, uow: UnitOfWorkFactory, hasher: PasswordHasher, clock: Clock, ids: IdGenerator) -> None:
        self._uow = uow
        self._hasher = hasher
        self._clock = clock
        self._ids = ids

    async def __call__(self, command: CreateTenantCommand) -> CreatedTenant:
        slug, name = TenantSlug(command.slug), clean_tenant_name(command.name)
        owner = NewUser(
            email=command.owner_email,
            username=command.owner_username,
            password=command.owner_password,
            full_name=command.owner_full_name,
            roles=frozenset({Role.OWNER}),
        ).validate()
        assert owner.password is not None  # a NewUser always has one
        password_hash = await self._hasher.hash(owner.password)
        async with self._uow() as uow:
            if await uow.tenants.get_by_slug(slug) is not None:
                raise TenantSlugTaken(slug.value)
            now = self._clock.now()
            tenant = Tenant.create(id=self._ids.new_id(), slug=slug, name=name, now=now)
            user = owner.register(id=self._ids.new_id(), tenant_id=tenant.id, now=now)
            await uow.tenants.add(tenant)
            await uow.users.add(UserCredentials(user=user, password_hash=password_hash))
            await uow.commit()
        return CreatedTenant(tenant=tenant, owner=user)
