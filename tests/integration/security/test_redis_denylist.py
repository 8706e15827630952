"""The shared access-token denylist on real Redis: a denial reaches the other processes through pub/sub, a process
that starts later (or reconnects) resyncs from the keys, and a Redis outage leaves the denying process refusing the
token, logged and counted, until the denial can be sent — then the others learn of it too.

Each "process" here is its own ``RedisAccessTokenDenylist`` with its own mirror, client and subscription, as in
separate API processes.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta

import pytest
from redis.asyncio import Redis
from structlog.testing import capture_logs

from keel.infrastructure.security import DeniedAccessTokens, RedisAccessTokenDenylist, denylist_subscription
from keel.settings import CacheSettings
from support.network import free_port
from support.polling import eventually
from support.redis_proxy import RedisProxy

pytestmark = pytest.mark.integration

type StartProcess = Callable[..., Awaitable[RedisAccessTokenDenylist]]


@pytest.fixture
def prefix() -> str:
    return f"test-{secrets.token_hex(4)}"


@pytest.fixture
async def start_process(redis_url: str, prefix: str) -> AsyncIterator[StartProcess]:
    """``await start_process(url=...)``: a denylist with its subscription running, stopped after the test."""
    async with AsyncExitStack() as stack:

        async def start(url: str = redis_url, startup_wait_seconds: float = 2.0) -> RedisAccessTokenDenylist:
            settings = CacheSettings(url=url, key_prefix=prefix, socket_timeout_seconds=0.2)
            client = Redis.from_url(url, socket_timeout=0.2, socket_connect_timeout=0.2)
            stack.push_async_callback(client.aclose)
            denylist = RedisAccessTokenDenylist(client, DeniedAccessTokens(), key_prefix=prefix, timeout_seconds=1)
            resource = denylist_subscription(denylist, settings, startup_wait_seconds=startup_wait_seconds)
            await anext(resource)
            stack.push_async_callback(_stop, resource)
            return denylist

        yield start


async def _stop(resource: AsyncIterator[RedisAccessTokenDenylist]) -> None:
    with pytest.raises(StopAsyncIteration):
        await anext(resource)


def until(minutes: float) -> datetime:
    return datetime.now(UTC) + timedelta(minutes=minutes)


async def test_a_denial_reaches_another_process_through_pub_sub(start_process: StartProcess) -> None:
    first, second = await start_process(), await start_process()
    await first.deny("token-1", until(15))
    assert first.is_denied("token-1"), "the denying process refuses it at once"
    await eventually(lambda: second.is_denied("token-1"))
    assert second.stats.received == 1
    assert first.stats.published == 1
    assert not second.is_denied("token-2")


async def test_a_process_that_starts_later_resyncs_every_denial_before_serving(
    start_process: StartProcess, redis_client: Redis, prefix: str
) -> None:
    first = await start_process()
    await first.deny("token-1", until(15))
    await first.deny("token-2", until(1))
    later = await start_process()
    assert later.synchronised.is_set()
    assert later.is_denied("token-1")
    assert later.is_denied("token-2")
    assert later.stats.received == 0, "learnt from the keys, not from messages"
    ttl = await redis_client.ttl(f"{prefix}:auth:denied:token-1")
    assert 14 * 60 <= ttl <= 15 * 60, "the key lives as long as the token would have"


async def test_an_outage_keeps_the_denial_local_then_sends_it_when_redis_returns(
    start_process: StartProcess, redis_client: Redis
) -> None:
    proxy = RedisProxy(redis_client, free_port())
    database = redis_client.connection_pool.connection_kwargs.get("db", 0)
    through_proxy = f"redis://127.0.0.1:{proxy.port}/{database}"
    try:
        cut_off = await start_process(url=through_proxy, startup_wait_seconds=0.2)
        other = await start_process()
        assert not cut_off.synchronised.is_set()
        with capture_logs() as logs:
            await cut_off.deny("token-1", until(15))
        assert cut_off.is_denied("token-1"), "fail closed: this process refuses the token all the same"
        assert cut_off.stats.publish_failures == 1
        assert cut_off.pending.keys() == {"token-1"}
        assert [entry["event"] for entry in logs] == ["auth.denylist.publish_failed"]
        assert not other.is_denied("token-1")
        await proxy.up()
        await eventually(lambda: other.is_denied("token-1"))
        await eventually(cut_off.synchronised.is_set)
        assert cut_off.pending == {}
        assert cut_off.stats.subscription_failures >= 1
    finally:
        await proxy.down()


async def test_a_lost_subscription_resyncs_what_was_denied_meanwhile(
    start_process: StartProcess, redis_client: Redis
) -> None:
    proxy = RedisProxy(redis_client, free_port())
    database = redis_client.connection_pool.connection_kwargs.get("db", 0)
    await proxy.up()
    try:
        follower = await start_process(url=f"redis://127.0.0.1:{proxy.port}/{database}")
        denier = await start_process()
        resyncs = follower.stats.resyncs
        await proxy.down()  # the follower's subscription is cut: it will not hear the next message
        await denier.deny("token-1", until(15))
        await asyncio.sleep(0)
        assert not follower.is_denied("token-1")
        await proxy.up()
        await eventually(lambda: follower.is_denied("token-1"))
        assert follower.stats.resyncs > resyncs
        assert follower.stats.received == 0, "caught up by the resync after reconnecting"
    finally:
        await proxy.down()
