"""CreateOwner: an operator's bootstrap — an owner for a tenant, creating the tenant when it does not exist yet.

``keel users create-owner`` runs it: the first owner of a new deployment, or a new owner for a tenant whose owners are
gone. In an existing tenant the owner is created on the operator's authority (``OPERATOR``), with the same checks as
any creation (valid identity, email and username free); the audit log records the actor as ``system``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final
from uuid import UUID

from keel.application.tenants.create_tenant import CreateTenant, CreateTenantCommand
from keel.application.unit_of_work import UnitOfWorkFactory
from keel.application.users.actor import Actor
from keel.application.users.create_user import CreateUser, CreateUserCommand
from keel.application.users.new_user import NewUser
from keel.domain.tenants import Tenant, TenantSlug
from keel.domain.users import Role, User

OPERATOR: Final = UUID(int=0)
"""The actor id of an operator at the command line: never a user's (ids are UUIDv7, never zero)."""


@dataclass(frozen=True, kw_only=True)
class CreateOwnerCommand:
    tenant_slug: str
    owner: NewUser
    """The owner's identity and password; its roles are ignored (an owner is an owner)."""
    tenant_name: str | None = None
    """The name of the tenant if it is created; the slug by default."""


@dataclass(frozen=True, slots=True)
class CreatedOwner:
    tenant: Tenant
    owner: User
    tenant_created: bool


class CreateOwner:
    def __init__(self, uow: UnitOfWorkFactory, create_tenant: CreateTenant, create_user: CreateUser) -> None:
        self._uow = uow
        self._create_tenant = create_tenant
        self._create_user = create_user

    async def __call__(self, command: CreateOwnerCommand) -> CreatedOwner:
        slug = TenantSlug(command.tenant_slug)
        async with self._uow(read_only=True) as uow:
            tenant = await uow.tenants.get_by_slug(slug)
        owner = command.owner
        if tenant is None:
            created = await self._create_tenant(
                CreateTenantCommand(
                    slug=slug.value,
                    name=command.tenant_name or slug.value,
                    owner_email=owner.email,
                    owner_username=owner.username,
                    owner_password=owner.password,
                    owner_full_name=owner.full_name,
                )
            )
            return CreatedOwner(tenant=created.tenant, owner=created.owner, tenant_created=True)
        operator = Actor(user_id=OPERATOR, tenant_id=tenant.id, roles=frozenset({Role.OWNER}))
        user = await self._create_user(
            CreateUserCommand(actor=operator, user=replace(owner, roles=frozenset({Role.OWNER})))
        )
        return CreatedOwner(tenant=tenant, owner=user, tenant_created=False)
