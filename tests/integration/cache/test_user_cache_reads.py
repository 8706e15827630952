"""Reading users through the cache: a miss loads and stores, a hit reads Redis only; one entry serves reads with and
without deleted users; nothing else is cached; a value this process cannot decode is read around, not over."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis
from user_cache_harness import ReadControl, reader

from fakes.world import World
from keel.domain.ids import uuid7
from keel.domain.tenants import Tenant
from keel.domain.users import EmailAddress, User
from keel.infrastructure.cache.codec import ZSTD_DICT
from keel.infrastructure.cache.keys import SCHEMA_VERSION
from keel.infrastructure.cache.user_store import UserCacheStore

pytestmark = pytest.mark.integration


def database_reads(world: World) -> int:
    return world.db.statements["users.get"]


async def test_a_miss_loads_and_stores_the_user_and_the_next_read_is_a_hit(
    world: World, store: UserCacheStore, redis_client: Redis, tenant: Tenant, ann: User
) -> None:
    users = reader(world.db, store, ReadControl())
    first = await users.get(tenant.id, ann.id)
    second = await users.get(tenant.id, ann.id)

    assert database_reads(world) == 1
    assert first is not None
    assert second is not None
    assert (second.id, second.email, second.full_name, second.version) == (ann.id, ann.email, "Ann Example", 1)
    stored = await redis_client.get(store.key(tenant.id, ann.id))
    assert stored is not None
    assert stored[0] == ZSTD_DICT
    assert 0 < await redis_client.pttl(store.key(tenant.id, ann.id)) <= 60_000
    assert (store.stats.hits, store.stats.misses) == (1, 1)


def test_keys_are_namespaced_by_prefix_schema_version_and_tenant(store: UserCacheStore, tenant: Tenant) -> None:
    user_id = uuid7()
    assert store.key(tenant.id, user_id) == f"keel-test:users:v{SCHEMA_VERSION}:{tenant.id}:{user_id}"


async def test_one_entry_serves_reads_with_and_without_deleted_users(
    world: World, store: UserCacheStore, tenant: Tenant
) -> None:
    gone = world.user(tenant, "gone", deleted_at=world.clock.now(), version=2)
    users = reader(world.db, store, ReadControl())

    assert await users.get(tenant.id, gone.id) is None
    found = await users.get(tenant.id, gone.id, include_deleted=True)
    assert found is not None
    assert found.is_deleted
    assert database_reads(world) == 1


async def test_an_unknown_user_is_not_cached_and_leaves_no_lease_behind(
    world: World, store: UserCacheStore, redis_client: Redis, tenant: Tenant
) -> None:
    users = reader(world.db, store, ReadControl())
    nobody = uuid7()
    assert await users.get(tenant.id, nobody) is None
    assert await users.get(tenant.id, nobody) is None
    assert database_reads(world) == 2
    assert await redis_client.exists(store.key(tenant.id, nobody)) == 0


async def test_another_tenant_never_gets_a_cached_user(
    world: World, store: UserCacheStore, tenant: Tenant, ann: User
) -> None:
    users = reader(world.db, store, ReadControl())
    assert await users.get(tenant.id, ann.id) is not None
    other_tenant = world.tenant("other")
    assert await users.get(other_tenant.id, ann.id) is None


async def test_each_read_returns_its_own_copy(world: World, store: UserCacheStore, tenant: Tenant, ann: User) -> None:
    users = reader(world.db, store, ReadControl())
    first = await users.get(tenant.id, ann.id)
    assert first is not None
    first.rename("Changed But Not Saved", world.clock.now())
    again = await users.get(tenant.id, ann.id)
    assert again is not None
    assert again.full_name == "Ann Example"


async def test_log_in_reads_go_to_the_database_every_time(
    world: World, store: UserCacheStore, redis_client: Redis, tenant: Tenant, ann: User
) -> None:
    users = reader(world.db, store, ReadControl())
    for _ in range(2):
        credentials = await users.get_credentials(tenant.id, EmailAddress("ann@example.com"))
        assert credentials is not None
    assert world.db.statements["users.get_credentials"] == 2
    assert await redis_client.dbsize() == 0


async def test_a_value_from_an_unknown_dictionary_is_read_from_the_database_and_left_in_place(
    world: World, store: UserCacheStore, redis_client: Redis, tenant: Tenant, ann: User
) -> None:
    key = store.key(tenant.id, ann.id)
    newer_release_value = bytes([ZSTD_DICT]) + (0xFEEDFACE).to_bytes(4, "big") + b"\x00frame of a newer dictionary"
    await redis_client.set(key, newer_release_value)

    user = await reader(world.db, store, ReadControl()).get(tenant.id, ann.id)

    assert user is not None
    assert user.email == ann.email
    assert database_reads(world) == 1
    assert store.stats.undecodable == 1
    assert await redis_client.get(key) == newer_release_value
