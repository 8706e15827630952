"""The race a read-through cache must survive: a reader loads a row, a writer commits a change and invalidates, and
only then does the reader store what it loaded. With leases, that stale row never lands.

The interleaving is forced, not hoped for: the reader's inner repository stops right after reading the row, and the
test commits the writer's change before letting it go on.
"""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis
from user_cache_harness import CachedUnitOfWork, MakeStore, ReadControl, reader

from fakes.world import World
from keel.domain.tenants import Tenant
from keel.domain.users import User
from keel.infrastructure.cache.user_store import LEASE_PREFIX

pytestmark = pytest.mark.integration


async def test_a_row_read_before_a_write_committed_is_not_stored_after_it(
    world: World, make_store: MakeStore, redis_client: Redis, tenant: Tenant, ann: User
) -> None:
    store = make_store()
    key = store.key(tenant.id, ann.id)
    held = ReadControl(hold=True)
    slow_read = asyncio.create_task(reader(world.db, store, held).get(tenant.id, ann.id))
    await held.loaded.wait()  # the reader holds the lease and has read version 1
    lease = await redis_client.get(key)
    assert lease is not None
    assert lease.startswith(LEASE_PREFIX)

    writer_store = make_store()  # the writer runs in another process
    async with CachedUnitOfWork(world.db, writer_store, ReadControl()) as uow:
        user = await uow.users.get(tenant.id, ann.id)
        assert user is not None
        user.rename("Ann Renamed", world.clock.now())
        await uow.users.save(user, expected_version=1)
        await uow.commit()  # then invalidates: the reader's lease goes with the key

    held.release.set()
    stale = await slow_read
    assert stale is not None
    assert stale.version == 1  # what it read before the commit, returned to its own caller only
    assert await redis_client.get(key) is None  # ...and not stored
    assert store.stats.fills_rejected == 1

    reads = world.db.statements["users.get"]
    fresh = await reader(world.db, store, ReadControl()).get(tenant.id, ann.id)
    assert fresh is not None
    assert (fresh.full_name, fresh.version) == ("Ann Renamed", 2)
    assert world.db.statements["users.get"] == reads + 1


async def test_a_reader_slower_than_its_lease_stores_nothing(
    world: World, make_store: MakeStore, redis_client: Redis, tenant: Tenant, ann: User
) -> None:
    store = make_store(lease_seconds=0.05)
    user = await reader(world.db, store, ReadControl(latency_seconds=0.15)).get(tenant.id, ann.id)
    assert user is not None
    assert await redis_client.exists(store.key(tenant.id, ann.id)) == 0
    assert store.stats.fills_rejected == 1
