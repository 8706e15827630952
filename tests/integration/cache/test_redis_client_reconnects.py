"""The app's Redis client heals in one pass after Redis comes back: a pooled connection left broken by the outage
costs its command nothing — it is sent again at once on a new connection — so the breakers that just closed do not
reopen on a burst of errors from the stale pool."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from keel.infrastructure.cache.client import build_redis
from keel.settings import CacheSettings
from support.network import free_port
from support.redis_proxy import RedisProxy

pytestmark = pytest.mark.integration

POOLED = 12


@pytest.fixture
async def proxy(redis_client: Redis) -> AsyncIterator[RedisProxy]:
    proxy = RedisProxy(redis_client, free_port())
    await proxy.up()
    yield proxy
    await proxy.down()


async def _fill_pool(client: Redis, key: str) -> None:
    """``POOLED`` connections open at once (each blocked 0.1 s on an empty list), then back in the pool."""
    await asyncio.gather(*(client.blpop([key], timeout=0.1) for _ in range(POOLED)))


async def test_connections_broken_by_an_outage_are_replaced_without_failing_a_command(
    redis_client: Redis, proxy: RedisProxy
) -> None:
    database = redis_client.connection_pool.connection_kwargs.get("db", 0)
    client = build_redis(CacheSettings(url=f"redis://127.0.0.1:{proxy.port}/{database}", socket_timeout_seconds=2.0))
    key = f"reconnect-{secrets.token_hex(4)}"
    try:
        await _fill_pool(client, key)
        await redis_client.set(key + ":value", b"kept")
        await proxy.down()  # every pooled connection is cut
        await proxy.up()

        answers = await asyncio.gather(*(client.get(key + ":value") for _ in range(POOLED)), return_exceptions=True)
    finally:
        await client.aclose()
    assert answers == [b"kept"] * POOLED


async def test_a_dead_redis_still_fails_the_command_after_one_retry(redis_client: Redis, proxy: RedisProxy) -> None:
    database = redis_client.connection_pool.connection_kwargs.get("db", 0)
    client = build_redis(CacheSettings(url=f"redis://127.0.0.1:{proxy.port}/{database}", socket_timeout_seconds=2.0))
    try:
        await client.ping()
        await proxy.down()
        with pytest.raises(RedisConnectionError):
            await client.get("anything")
    finally:
        await client.aclose()
