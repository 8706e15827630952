"""Nonces claimed in Redis: once each across every process, for the time given, and no claim without Redis."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from keel.application.errors import DependencyUnavailable
from keel.infrastructure.security.nonce_register import RedisNonceRegister

pytestmark = pytest.mark.integration


async def test_a_nonce_is_claimed_once(redis_client: Redis) -> None:
    register = RedisNonceRegister(redis_client, key_prefix="keel-test")
    assert await register.claim("client:nonce-1", ttl_seconds=600)
    assert not await register.claim("client:nonce-1", ttl_seconds=600)
    assert await register.claim("client:nonce-2", ttl_seconds=600)
    assert 0 < await redis_client.ttl("keel-test:nonce:client:nonce-1") <= 600


async def test_racing_claims_of_one_nonce_have_one_winner(redis_client: Redis) -> None:
    registers = [RedisNonceRegister(redis_client, key_prefix="keel-test") for _ in range(4)]  # as in four processes
    claims = await asyncio.gather(*(register.claim("client:raced", ttl_seconds=60) for register in registers * 5))
    assert claims.count(True) == 1


async def test_without_redis_nothing_is_claimed() -> None:
    dead = Redis.from_url("redis://127.0.0.1:1/0", socket_timeout=0.2, socket_connect_timeout=0.2)
    with pytest.raises(DependencyUnavailable):
        await RedisNonceRegister(dead, key_prefix="keel-test").claim("client:n", ttl_seconds=60)
