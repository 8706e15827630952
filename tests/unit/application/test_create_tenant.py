"""CreateTenant: a tenant and its owner in one transaction; a taken slug is a conflict naming the field."""

from __future__ import annotations

import pytest

from factories import TenantFactory
from fakes import fake_hash
from fakes.world import PASSWORD, World
from keel.application.tenants import CreateTenant, CreateTenantCommand
from keel.domain.tenants import InvalidTenantSlug, TenantCreated, TenantSlug, TenantSlugTaken
from keel.domain.users import Role, UserCreated, WeakPassword


def command(**overrides: str) -> CreateTenantCommand:
    fields = {
        "slug": "acme",
        "name": "Acme Ltd",
        "owner_email": "Owner@Acme.example",
        "owner_username": "owner",
        "owner_password": PASSWORD,
        "owner_full_name": "Olive Owner",
    } | overrides
    return CreateTenantCommand(**fields)


def create_tenant(world: World) -> CreateTenant:
    return CreateTenant(world.uow, world.hasher, world.clock, world.ids)


async def test_creates_the_tenant_and_its_owner(world: World) -> None:
    created = await create_tenant(world)(command())
    tenant, owner = world.db.tenants[created.tenant.id], world.db.users[created.owner.id]
    assert (tenant.slug.value, tenant.name) == ("acme", "Acme Ltd")
    assert (owner.tenant_id, owner.email.value, owner.roles) == (tenant.id, "owner@acme.example", {Role.OWNER})
    assert world.db.password_hashes[owner.id] == fake_hash(PASSWORD)
    assert [type(e) for e in world.bus.published] == [TenantCreated, UserCreated]


async def test_a_taken_slug_is_refused_before_anything_is_written(world: World) -> None:
    world.tenant("acme")
    with pytest.raises(TenantSlugTaken) as raised:
        await create_tenant(world)(command())
    assert raised.value.context == {"field": "slug"}
    assert len(world.db.tenants) == 1
    assert world.db.users == {}


async def test_a_slug_taken_concurrently_fails_at_commit_with_the_same_error(world: World) -> None:
    world.db.before_commit.append(lambda: world.db.seed(TenantFactory.build(slug=TenantSlug("acme"))))
    with pytest.raises(TenantSlugTaken):
        await create_tenant(world)(command())
    assert world.db.users == {}
    assert world.bus.published == []


@pytest.mark.parametrize(
    ("overrides", "error"),
    [({"slug": "Not A Slug"}, InvalidTenantSlug), ({"owner_password": "short"}, WeakPassword)],
)
async def test_invalid_input_writes_nothing(world: World, overrides: dict[str, str], error: type[Exception]) -> None:
    with pytest.raises(error):
        await create_tenant(world)(command(**overrides))
    assert world.db.commits == 0
