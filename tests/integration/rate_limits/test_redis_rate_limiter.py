"""The GCRA script on a real Redis: exact counts, all-or-nothing over several keys, one round trip per hit, and the
fail-open / fail-closed policies when Redis is gone."""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

import pytest
from redis.asyncio import ConnectionPool, Redis
from redis.asyncio.connection import Connection, UnixDomainSocketConnection

from keel.application.errors import DependencyUnavailable
from keel.application.ports.rate_limits import Quota
from keel.infrastructure.cache.breaker import CircuitBreaker
from keel.infrastructure.rate_limits import RedisRateLimiter

pytestmark = pytest.mark.integration

HOUR = 3600


def limiter_on(client: Redis, *, failure_threshold: int = 5) -> RedisRateLimiter:
    return RedisRateLimiter(
        client, key_prefix="keel-test", breaker=CircuitBreaker(failure_threshold=failure_threshold, name="rate_limit")
    )


async def test_a_quota_of_n_lets_n_through_then_refuses(redis_client: Redis) -> None:
    limiter, quota = limiter_on(redis_client), Quota("read", 3, HOUR)
    decisions = [await limiter.hit(quota, ["user:1"]) for _ in range(5)]
    assert [decision.allowed for decision in decisions] == [True, True, True, False, False]
    assert [decision.remaining for decision in decisions] == [2, 1, 0, 0, 0]
    refused = decisions[3]
    assert 1199 <= refused.retry_after_seconds <= 1200  # one request per 20 minutes refills
    assert 3599 <= refused.reset_seconds <= 3600
    assert limiter.stats.decided == 5
    assert limiter.stats.refused == 2


async def test_concurrent_hits_are_decided_one_at_a_time(redis_client: Redis) -> None:
    limiter, quota = limiter_on(redis_client), Quota("read", 25, HOUR)
    decisions = await asyncio.gather(*(limiter.hit(quota, ["user:race"]) for _ in range(50)))
    assert sum(decision.allowed for decision in decisions) == 25
    assert sorted(decision.remaining for decision in decisions if decision.allowed) == list(range(25))


async def test_keys_and_quotas_count_apart(redis_client: Redis) -> None:
    limiter = limiter_on(redis_client)
    read, write = Quota("read", 1, HOUR), Quota("write", 1, HOUR)
    assert (await limiter.hit(read, ["user:a"])).allowed
    assert not (await limiter.hit(read, ["user:a"])).allowed
    assert (await limiter.hit(read, ["user:b"])).allowed
    assert (await limiter.hit(write, ["user:a"])).allowed


async def test_several_keys_pass_together_or_not_at_all(redis_client: Redis) -> None:
    limiter, quota = limiter_on(redis_client), Quota("login", 2, HOUR)
    assert (await limiter.hit(quota, ["ip:1", "account:x"])).allowed
    assert (await limiter.hit(quota, ["ip:1", "account:y"])).allowed
    refused = await limiter.hit(quota, ["ip:1", "account:z"])  # the address is spent
    assert not refused.allowed
    # the refusal cost account z nothing: it still has its whole quota from another address
    first, second = await limiter.hit(quota, ["ip:2", "account:z"]), await limiter.hit(quota, ["ip:3", "account:z"])
    assert first.allowed
    assert second.allowed
    assert first.remaining == 1  # the lowest of the two keys' remaining requests


class CountingConnection(Connection):
    """A Redis connection that counts the commands it sends (a pipeline would count once: one round trip)."""

    sent: ClassVar[list[bytes]] = []

    async def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        first = command if isinstance(command, bytes) else b"".join(command)
        CountingConnection.sent.append(first.split(b"\r\n")[2])
        await super().send_packed_command(command, check_health)


class CountingUnixConnection(UnixDomainSocketConnection):
    """The same count over a Unix socket (the embedded Redis of a machine without one)."""

    async def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        first = command if isinstance(command, bytes) else b"".join(command)
        CountingConnection.sent.append(first.split(b"\r\n")[2])
        await super().send_packed_command(command, check_health)


async def test_a_hit_is_one_round_trip(redis_url: str, redis_client: Redis) -> None:
    pool = ConnectionPool.from_url(redis_url)
    # from_url picks the connection class from the URL's scheme: swap in the counting one of the same kind
    unix = issubclass(pool.connection_class, UnixDomainSocketConnection)
    pool.connection_class = CountingUnixConnection if unix else CountingConnection
    counted = Redis(connection_pool=pool)
    limiter, quota = limiter_on(counted), Quota("read", 100, HOUR)
    try:
        await limiter.hit(quota, ["user:warm"])  # connects, loads the script once
        CountingConnection.sent.clear()
        for _ in range(10):
            await limiter.hit(quota, ["user:counted", "ip:counted"])
    finally:
        await counted.aclose()
    assert CountingConnection.sent == [b"EVALSHA"] * 10


async def test_the_key_expires_once_the_quota_is_whole(redis_client: Redis) -> None:
    limiter = limiter_on(redis_client)
    await limiter.hit(Quota("read", 10, 60), ["user:ttl"])
    ttl_ms = await redis_client.pttl("keel-test:rl:read:user:ttl")
    assert 0 < ttl_ms <= 6000  # one tenth of the period: the time one request takes to refill


@pytest.fixture
async def dead_redis() -> Redis:
    return Redis.from_url("redis://127.0.0.1:1/0", socket_timeout=0.2, socket_connect_timeout=0.2)


async def test_without_redis_an_open_quota_lets_requests_through(dead_redis: Redis) -> None:
    limiter = limiter_on(dead_redis)
    decision = await limiter.hit(Quota("read", 1, HOUR), ["user:1"])
    assert decision.allowed
    assert not decision.counted
    assert (limiter.stats.errors, limiter.stats.failed_open, limiter.stats.failed_closed) == (1, 1, 0)


async def test_without_redis_a_closed_quota_refuses(dead_redis: Redis) -> None:
    limiter = limiter_on(dead_redis)
    with pytest.raises(DependencyUnavailable):
        await limiter.hit(Quota("login", 10, 60, fail_closed=True), ["ip:1"])
    assert (limiter.stats.errors, limiter.stats.failed_open, limiter.stats.failed_closed) == (1, 0, 1)


async def test_repeated_failures_open_the_breaker_and_stop_calling_redis(dead_redis: Redis) -> None:
    limiter = limiter_on(dead_redis, failure_threshold=2)
    for _ in range(5):
        await limiter.hit(Quota("read", 1, HOUR), ["user:1"])
    assert limiter.stats.breaker_state.value == "open"
    assert limiter.stats.errors == 5  # every hit counted as uncounted, the last three without waiting for Redis


async def test_the_finest_quota_the_settings_allow_counts_exactly(redis_client: Redis) -> None:
    limiter, quota = limiter_on(redis_client), Quota("read", 1_000_000, 1)  # one request per microsecond
    decisions = [await limiter.hit(quota, ["user:fine"]) for _ in range(50)]
    assert all(decision.allowed and decision.counted for decision in decisions)
    assert all(0 <= decision.remaining < quota.limit for decision in decisions)
