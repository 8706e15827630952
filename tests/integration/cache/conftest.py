"""Fixtures of the user-cache tests: the shipped codec, stores on this worker's Redis database, a world of fakes."""

from __future__ import annotations

from typing import Any

import pytest
from redis.asyncio import Redis
from user_cache_harness import MakeStore

from fakes.world import World
from keel.domain.tenants import Tenant
from keel.domain.users import User
from keel.infrastructure.cache.breaker import CircuitBreaker
from keel.infrastructure.cache.user_codec import UserCacheCodec, shipped_user_cache_codec
from keel.infrastructure.cache.user_store import UserCacheStore
from support.network import free_port

KEY_PREFIX = "keel-test"
TTL_SECONDS = 60


@pytest.fixture(scope="session")
def codec() -> UserCacheCodec:
    return shipped_user_cache_codec()


@pytest.fixture
def make_store(redis_client: Redis, codec: UserCacheCodec) -> MakeStore:
    """``make_store(client=None, breaker=None, **options)``: another process's store, on the same Redis."""

    def make(client: Redis | None = None, breaker: CircuitBreaker | None = None, **options: Any) -> UserCacheStore:
        return UserCacheStore(
            client if client is not None else redis_client,
            codec,
            key_prefix=KEY_PREFIX,
            ttl_seconds=TTL_SECONDS,
            breaker=breaker if breaker is not None else CircuitBreaker(),
            **options,
        )

    return make


@pytest.fixture
def store(make_store: MakeStore) -> UserCacheStore:
    return make_store()


@pytest.fixture
def world() -> World:
    return World()


@pytest.fixture
def tenant(world: World) -> Tenant:
    return world.tenant()


@pytest.fixture
def ann(world: World, tenant: Tenant) -> User:
    return world.user(tenant, "ann", full_name="Ann Example")


@pytest.fixture
def closed_port() -> int:
    """A local port nothing listens on (connections are refused)."""
    return free_port()
