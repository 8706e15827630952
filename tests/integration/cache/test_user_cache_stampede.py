"""A hundred concurrent misses on one key read the database at most twice: in one process they share one read
(single flight); across processes, the lease holder reads and the others wait briefly for its value."""

from __future__ import annotations

import asyncio

import pytest
from user_cache_harness import MakeStore, ReadControl, reader

from fakes.world import World
from keel.domain.tenants import Tenant
from keel.domain.users import User
from keel.infrastructure.cache.user_store import UserCacheStore

pytestmark = pytest.mark.integration

CALLERS = 100
DATABASE_LATENCY = ReadControl(latency_seconds=0.02)


async def test_a_hundred_concurrent_misses_in_one_process(
    world: World, store: UserCacheStore, tenant: Tenant, ann: User
) -> None:
    users = await asyncio.gather(
        *(reader(world.db, store, DATABASE_LATENCY).get(tenant.id, ann.id) for _ in range(CALLERS))
    )
    reads = world.db.statements["users.get"]
    print(f"{CALLERS} concurrent misses, one process: {reads} database read(s)")
    assert reads <= 2
    assert all(user is not None and user.email == ann.email for user in users)
    assert len({id(user) for user in users}) == CALLERS  # each caller its own copy
    assert store.stats.hits + store.stats.misses == CALLERS


async def test_a_hundred_concurrent_misses_across_ten_processes(
    world: World, make_store: MakeStore, tenant: Tenant, ann: User
) -> None:
    stores = [make_store() for _ in range(10)]  # each with its own single flight, all on the same Redis
    users = await asyncio.gather(
        *(
            reader(world.db, stores[caller % len(stores)], DATABASE_LATENCY).get(tenant.id, ann.id)
            for caller in range(CALLERS)
        )
    )
    reads = world.db.statements["users.get"]
    print(f"{CALLERS} concurrent misses, {len(stores)} processes: {reads} database read(s)")
    assert reads <= 2
    assert all(user is not None and user.email == ann.email for user in users)
    assert sum(store.stats.hits for store in stores) >= CALLERS - 2 * CALLERS // len(stores)
