"""CreateOwner: an operator's owner for a new tenant (created with it) or for an existing one, with the usual checks."""

from __future__ import annotations

import pytest

from fakes.world import PASSWORD, World
from keel.application.audit import ActorKind
from keel.application.tenants import OPERATOR, CreateOwner, CreateOwnerCommand, CreateTenant
from keel.application.users import CreateUser, NewUser
from keel.domain.users import EmailAlreadyUsed, Role


def create_owner(world: World) -> CreateOwner:
    return CreateOwner(
        world.uow,
        CreateTenant(world.uow, world.hasher, world.clock, world.ids),
        CreateUser(world.uow, world.hasher, world.clock, world.ids),
    )


def owner(name: str, roles: frozenset[Role] = frozenset({Role.MEMBER})) -> NewUser:
    return NewUser(email=f"{name}@example.com", username=name, password=PASSWORD, roles=roles)


async def test_a_new_slug_creates_the_tenant_with_its_owner(world: World) -> None:
    result = await create_owner(world)(CreateOwnerCommand(tenant_slug="acme", owner=owner("ada")))
    assert result.tenant_created
    assert (result.tenant.slug.value, result.tenant.name) == ("acme", "acme")
    assert result.owner.roles == frozenset({Role.OWNER})
    assert world.db.tenants[result.tenant.id] == result.tenant


async def test_an_existing_tenant_gets_one_more_owner_whatever_roles_were_asked(world: World) -> None:
    tenant = world.tenant("acme")
    world.user(tenant, "first", roles=[Role.OWNER])
    result = await create_owner(world)(CreateOwnerCommand(tenant_slug="acme", owner=owner("bob")))
    assert not result.tenant_created
    assert result.tenant.id == tenant.id
    assert world.stored(result.owner).roles == frozenset({Role.OWNER})
    (entry,) = [entry for entry in world.db.audit_events if entry.entity_id == result.owner.id]
    assert (entry.actor_kind, entry.actor_id) == (ActorKind.SYSTEM, None)  # no request: the operator
    assert OPERATOR.int == 0


async def test_an_email_in_use_in_the_tenant_is_refused(world: World) -> None:
    tenant = world.tenant("acme")
    world.user(tenant, "ada")
    with pytest.raises(EmailAlreadyUsed):
        await create_owner(world)(CreateOwnerCommand(tenant_slug="acme", owner=owner("ada")))
