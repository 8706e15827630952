"""Redis failing never fails a read: the read falls through to the database, the error is logged (its class only) and
counted, the breaker stops calling a dead Redis, and calls resume once it answers again. An invalidation that failed
is retried before the cache is read again, so the stale entry it left is never served."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis
from structlog.testing import capture_logs
from user_cache_harness import CachedUnitOfWork, CountingRedis, MakeStore, ReadControl, reader

from fakes.world import World
from keel.domain.tenants import Tenant
from keel.domain.users import User
from keel.infrastructure.cache.breaker import BreakerState, CircuitBreaker
from support.redis_proxy import RedisProxy

pytestmark = pytest.mark.integration

FAST = {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}


@pytest.fixture
async def proxy(redis_client: Redis, closed_port: int) -> AsyncIterator[RedisProxy]:
    """A proxy to this worker's Redis on the closed port; down until the test brings it up."""
    proxy = RedisProxy(redis_client, closed_port)
    yield proxy
    await proxy.down()


@pytest.fixture
async def proxied_client(redis_client: Redis, proxy: RedisProxy) -> AsyncIterator[CountingRedis]:
    database = redis_client.connection_pool.connection_kwargs.get("db", 0)
    client = CountingRedis.from_url(f"redis://127.0.0.1:{proxy.port}/{database}", **FAST)
    yield client
    await client.aclose()


async def test_a_dead_redis_costs_reads_nothing_but_the_database_and_the_breaker_stops_calling_it(
    world: World, make_store: MakeStore, closed_port: int, tenant: Tenant, ann: User
) -> None:
    client = CountingRedis.from_url(f"redis://127.0.0.1:{closed_port}/0", **FAST)
    store = make_store(client, breaker=CircuitBreaker(failure_threshold=3, open_seconds=60))
    users = reader(world.db, store, ReadControl())

    with capture_logs() as logs:
        found = [await users.get(tenant.id, ann.id) for _ in range(10)]

    assert all(user is not None and user.id == ann.id for user in found)
    assert world.db.statements["users.get"] == 10
    assert client.calls == 3  # then the breaker opened: no more calls
    assert (store.stats.errors, store.stats.bypassed) == (3, 7)
    assert store.stats.breaker_state is BreakerState.OPEN
    failures = [entry for entry in logs if entry["event"] == "cache.redis.failed"]
    assert (
        failures
        == [{"event": "cache.redis.failed", "operation": "get", "error": "ConnectionError", "log_level": "warning"}] * 3
    )
    assert [entry["event"] for entry in logs if entry["log_level"] == "error"] == ["cache.breaker.opened"]
    await client.aclose()


async def test_once_redis_answers_again_the_breaker_closes_after_its_open_time(
    world: World, make_store: MakeStore, proxy: RedisProxy, proxied_client: CountingRedis, ann: User
) -> None:
    client = proxied_client
    store = make_store(client, breaker=CircuitBreaker(failure_threshold=2, open_seconds=0.2))
    tenant_id = ann.tenant_id
    users = reader(world.db, store, ReadControl())
    for _ in range(3):
        assert await users.get(tenant_id, ann.id) is not None
    assert store.stats.breaker_state is BreakerState.OPEN

    await proxy.up()
    assert await users.get(tenant_id, ann.id) is not None  # still open: not even tried
    assert client.calls == 2
    await asyncio.sleep(0.25)
    assert await users.get(tenant_id, ann.id) is not None  # the probe succeeds; this read fills the cache
    assert store.stats.breaker_state is BreakerState.CLOSED
    reads = world.db.statements["users.get"]
    assert await users.get(tenant_id, ann.id) is not None
    assert world.db.statements["users.get"] == reads
    assert store.stats.hits == 1


async def test_an_invalidation_that_failed_is_retried_before_the_cache_is_read_again(
    world: World, make_store: MakeStore, proxy: RedisProxy, proxied_client: CountingRedis, ann: User
) -> None:
    tenant_id = ann.tenant_id
    await proxy.up()
    store = make_store(proxied_client)
    assert await reader(world.db, store, ReadControl()).get(tenant_id, ann.id) is not None  # cached: version 1
    await proxy.down()
    async with CachedUnitOfWork(world.db, store, ReadControl()) as uow:
        user = await uow.users.get(tenant_id, ann.id)
        assert user is not None
        user.rename("Ann Renamed", world.clock.now())
        await uow.users.save(user, expected_version=1)
        await uow.commit()  # committed; the invalidation fails and is kept
    assert store.stats.invalidations_pending == 1
    await proxy.up()
    assert await proxied_client.exists(store.key(tenant_id, ann.id)) == 1  # the stale version 1 is still in Redis

    fresh = await reader(world.db, store, ReadControl()).get(tenant_id, ann.id)

    assert fresh is not None
    assert (fresh.full_name, fresh.version) == ("Ann Renamed", 2)
    assert store.stats.invalidations_pending == 0
