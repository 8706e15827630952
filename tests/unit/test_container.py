"""The composition root: the cache-mode Selector resolves both branches, and resources start and stop in order.

No I/O here: building a Redis client or an engine does not connect; the lifecycle test swaps the real resources for
recording ones with provider overrides, the only way tests change the container's behaviour.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from dependency_injector import providers

from keel.container import Container, build_container, lifecycle_resources, running
from keel.infrastructure.cache.backends import NullCache, RedisCache
from keel.infrastructure.cache.health import RedisHealthCheck
from keel.infrastructure.database.health import PostgresHealthCheck
from keel.infrastructure.temporal.health import TemporalHealthCheck
from keel.settings import Settings


def make_settings(mode: str) -> Settings:
    return Settings(_env_file=None, cache={"mode": mode})  # type: ignore[call-arg, arg-type]


def _quiet(container: Container) -> Container:
    """The key ring's reloading and the denylist's subscription replaced by resources that do nothing (no files,
    no connections)."""
    journal: list[str] = []
    container.key_ring_reloader.override(_recording("key ring", journal))
    container.denylist_follower.override(_recording("denylist", journal))
    return container


async def test_redis_mode_resolves_the_redis_cache_and_both_health_checks() -> None:
    container = _quiet(build_container(make_settings("redis")))
    async with running(container):
        cache = await container.cache()
        checks = await container.health_checks()
        assert isinstance(cache, RedisCache)
        assert cache.enabled
        assert [type(check) for check in checks] == [PostgresHealthCheck, RedisHealthCheck, TemporalHealthCheck]


async def test_off_mode_resolves_the_null_cache_and_no_redis_health_check() -> None:
    container = _quiet(build_container(make_settings("off")))
    async with running(container):
        cache = container.cache()
        checks = await container.health_checks()
        assert isinstance(cache, NullCache)
        assert not cache.enabled
        assert await cache.get("anything") is None
        assert [type(check) for check in checks] == [PostgresHealthCheck, TemporalHealthCheck]
        assert container.access_token_denylist() is container.denied_tokens(), "the in-process denylist is all there is"


def test_redis_starts_in_both_modes_for_rate_limits_and_nonces() -> None:
    on = build_container(make_settings("redis"))
    off = build_container(make_settings("off"))
    # Outside production the N+1 detector counts the engine's statements: right after the engine.
    assert lifecycle_resources(on) == [
        on.logging,
        on.engine,
        on.key_ring_reloader,
        on.pool_metrics,
        on.n_plus_one_counting,
        on.redis,
        on.denylist_follower,
        on.temporal,
    ]
    assert lifecycle_resources(off) == [
        off.logging,
        off.engine,
        off.key_ring_reloader,
        off.pool_metrics,
        off.n_plus_one_counting,
        off.redis,
        off.temporal,
    ]


def test_production_never_counts_statements_and_tracing_starts_only_with_an_endpoint() -> None:
    production = build_container(
        Settings(
            _env_file=None,  # type: ignore[call-arg]
            environment="production",  # type: ignore[arg-type]
            security={"jwt_private_key": "unused here", "client_secret_key": "A" * 43 + "="},  # type: ignore[arg-type]
            cache={"mode": "off"},  # type: ignore[arg-type]
        )
    )
    assert lifecycle_resources(production) == [
        production.logging,
        production.engine,
        production.key_ring_reloader,
        production.pool_metrics,
        production.redis,
        production.temporal,
    ]
    traced = build_container(
        Settings(
            _env_file=None,  # type: ignore[call-arg]
            observability={"otlp_endpoint": "http://127.0.0.1:4318", "metrics_enabled": False},  # type: ignore[arg-type]
        )
    )
    assert lifecycle_resources(traced)[:5] == [
        traced.logging,
        traced.engine,
        traced.key_ring_reloader,
        traced.tracing,
        traced.n_plus_one_counting,
    ]


def _recording(name: str, journal: list[str]) -> providers.Resource[str]:
    async def resource() -> AsyncIterator[str]:
        journal.append(f"start {name}")
        yield name
        journal.append(f"stop {name}")

    return providers.Resource(resource)


def _recording_sync(name: str, journal: list[str]) -> providers.Resource[str]:
    def resource() -> Iterator[str]:
        journal.append(f"start {name}")
        yield name
        journal.append(f"stop {name}")

    return providers.Resource(resource)


async def _nothing() -> AsyncIterator[None]:
    yield


async def test_resources_start_in_order_and_stop_in_reverse() -> None:
    journal: list[str] = []
    container = build_container(make_settings("redis"))
    container.logging.override(_recording_sync("logging", journal))
    container.engine.override(_recording("engine", journal))
    container.key_ring_reloader.override(_recording("key ring", journal))
    container.pool_metrics.override(providers.Resource(_nothing))
    container.n_plus_one_counting.override(_recording("statement counting", journal))
    container.redis.override(_recording("redis", journal))
    container.denylist_follower.override(_recording("denylist", journal))
    container.temporal.override(_recording("temporal", journal))
    async with running(container):
        journal.append("serving")
    assert journal == [
        "start logging",
        "start engine",
        "start key ring",
        "start statement counting",
        "start redis",
        "start denylist",
        "start temporal",
        "serving",
        "stop temporal",
        "stop denylist",
        "stop redis",
        "stop statement counting",
        "stop key ring",
        "stop engine",
        "stop logging",
    ]


async def test_a_resource_that_fails_to_start_stops_those_already_started() -> None:
    journal: list[str] = []

    async def broken() -> AsyncIterator[str]:
        raise ConnectionError("redis is down")
        yield "never"

    container = build_container(make_settings("redis"))
    container.logging.override(_recording_sync("logging", journal))
    container.engine.override(_recording("engine", journal))
    container.key_ring_reloader.override(_recording("key ring", journal))
    container.pool_metrics.override(providers.Resource(_nothing))
    container.n_plus_one_counting.override(_recording("statement counting", journal))
    container.redis.override(providers.Resource(broken))
    with pytest.raises(ConnectionError):
        async with running(container):
            journal.append("serving")
    assert journal == [
        "start logging",
        "start engine",
        "start key ring",
        "start statement counting",
        "stop statement counting",
        "stop key ring",
        "stop engine",
        "stop logging",
    ]
