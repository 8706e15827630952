"""Invalidation happens after commit, once per unit of work, and never on rollback; a user the transaction wrote is
read from the transaction, never from or into the cache."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis
from user_cache_harness import CachedUnitOfWork, CountingRedis, MakeStore, ReadControl, reader

from factories import UserFactory
from fakes import fake_hash
from fakes.world import World
from keel.domain.tenants import Tenant
from keel.domain.users import User, UserCredentials
from keel.infrastructure.cache.user_store import UserCacheStore

pytestmark = pytest.mark.integration


async def cache(world: World, store: UserCacheStore, tenant: Tenant, user: User) -> None:
    assert await reader(world.db, store, ReadControl()).get(tenant.id, user.id) is not None


async def test_a_committed_change_deletes_the_entry_after_the_commit_not_before(
    world: World, store: UserCacheStore, redis_client: Redis, tenant: Tenant, ann: User
) -> None:
    await cache(world, store, tenant, ann)
    key = store.key(tenant.id, ann.id)
    async with CachedUnitOfWork(world.db, store, ReadControl()) as uow:
        user = await uow.users.get(tenant.id, ann.id)
        assert user is not None
        user.rename("Ann Renamed", world.clock.now())
        await uow.users.save(user, expected_version=1)
        assert await redis_client.exists(key) == 1
        await uow.commit()
    assert await redis_client.exists(key) == 0

    fresh = await reader(world.db, store, ReadControl()).get(tenant.id, ann.id)
    assert fresh is not None
    assert (fresh.full_name, fresh.version) == ("Ann Renamed", 2)


async def test_a_rolled_back_change_leaves_the_entry_which_is_still_the_committed_row(
    world: World, store: UserCacheStore, redis_client: Redis, tenant: Tenant, ann: User
) -> None:
    await cache(world, store, tenant, ann)
    async with CachedUnitOfWork(world.db, store, ReadControl()) as uow:
        user = await uow.users.get(tenant.id, ann.id)
        assert user is not None
        user.rename("Never Committed", world.clock.now())
        await uow.users.save(user, expected_version=1)
    reads = world.db.statements["users.get"]

    cached = await reader(world.db, store, ReadControl()).get(tenant.id, ann.id)
    assert cached is not None
    assert (cached.full_name, cached.version) == ("Ann Example", 1)
    assert world.db.statements["users.get"] == reads
    assert await redis_client.exists(store.key(tenant.id, ann.id)) == 1


async def test_a_user_written_in_the_transaction_is_read_from_it_and_never_stored(
    world: World, store: UserCacheStore, redis_client: Redis, tenant: Tenant, ann: User
) -> None:
    async with CachedUnitOfWork(world.db, store, ReadControl()) as uow:
        user = await uow.users.get(tenant.id, ann.id)  # fills the cache with the committed row: fine
        assert user is not None
        user.rename("Uncommitted", world.clock.now())
        await uow.users.save(user, expected_version=1)
        await redis_client.flushdb()
        again = await uow.users.get(tenant.id, ann.id)
        assert again is not None
        assert again.full_name == "Uncommitted"
        assert await redis_client.exists(store.key(tenant.id, ann.id)) == 0
    after_rollback = await reader(world.db, store, ReadControl()).get(tenant.id, ann.id)
    assert after_rollback is not None
    assert after_rollback.full_name == "Ann Example"


async def test_all_the_writes_of_a_unit_of_work_are_invalidated_in_one_call(
    world: World, make_store: MakeStore, redis_url: str, tenant: Tenant, ann: User
) -> None:
    client = CountingRedis.from_url(redis_url)
    store = make_store(client)
    await cache(world, store, tenant, ann)
    newcomers = [
        UserCredentials(user=UserFactory.build(tenant_id=tenant.id), password_hash=fake_hash("whatever password"))
        for _ in range(3)
    ]
    for newcomer in newcomers:  # not there yet: nothing cached
        assert await reader(world.db, store, ReadControl()).get(tenant.id, newcomer.user.id) is None
    client.commands.clear()

    async with CachedUnitOfWork(world.db, store, ReadControl()) as uow:
        await uow.users.add_many(newcomers)
        user = await uow.users.get(tenant.id, ann.id)
        assert user is not None
        user.rename("Ann Renamed", world.clock.now())
        await uow.users.save(user, expected_version=1)
        await uow.commit()

    assert client.commands["DEL"] == 1
    assert await client.exists(store.key(tenant.id, ann.id)) == 0
    await client.aclose()


async def test_a_write_after_an_explicit_rollback_in_the_same_block_is_still_invalidated(
    world: World, store: UserCacheStore, redis_client: Redis, tenant: Tenant, ann: User
) -> None:
    await cache(world, store, tenant, ann)
    async with CachedUnitOfWork(world.db, store, ReadControl()) as uow:
        user = await uow.users.get(tenant.id, ann.id)
        assert user is not None
        user.rename("First Try", world.clock.now())
        await uow.users.save(user, expected_version=1)
        await uow.rollback()
        user = await uow.users.get(tenant.id, ann.id)
        assert user is not None
        assert user.full_name == "Ann Example"
        user.rename("Second Try", world.clock.now())
        await uow.users.save(user, expected_version=1)
        await uow.commit()

    fresh = await reader(world.db, store, ReadControl()).get(tenant.id, ann.id)
    assert fresh is not None
    assert fresh.full_name == "Second Try"
