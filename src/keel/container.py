"""The composition root: the only place that builds engines, clients, adapters and use cases.

Nothing here connects or reads the environment at import time. ``build_container(settings)`` gives a container whose
resources (logging, database engine, Redis client) start in order inside ``async with running(container):`` — the API's
lifespan and the worker's start-up use it — and stop in the reverse order when it exits.
Tests change behaviour only with ``container.<provider>.override(...)``.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from dependency_injector import containers, providers

from keel.application.health import CheckHealth
from keel.infrastructure.cache.backends import NullCache, RedisCache
from keel.infrastructure.cache.client import redis_resource
from keel.infrastructure.cache.health import RedisHealthCheck
from keel.infrastructure.database.engine import engine_resource, session_factory
from keel.infrastructure.database.health import PostgresHealthCheck
from keel.infrastructure.logging import configure_logging
from keel.infrastructure.migrations import MigrationService
from keel.settings import CacheMode, Settings


class Container(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)

    logging = providers.Resource(
        configure_logging,
        level=settings.provided.observability.log_level,
        log_format=settings.provided.observability.log_format,
        production=settings.provided.is_production,
        service=settings.provided.observability.service_name,
    )

    # --- PostgreSQL ---------------------------------------------------------------------------------------------
    engine = providers.Resource(
        engine_resource,
        settings=settings.provided.database,
        application_name=settings.provided.observability.service_name,
    )
    session_factory = providers.Singleton(session_factory, engine)
    migrations = providers.Factory(
        MigrationService,
        database_url=settings.provided.database.url,
        migrations_dir=settings.provided.database.migrations_dir,
        dev_url=settings.provided.database.dev_url,
    )

    # --- Redis and the cache mode (a runtime choice: `redis` | `off`) ----------------------------------------------
    redis = providers.Resource(redis_resource, settings=settings.provided.cache)
    cache = providers.Selector(
        settings.provided.cache.mode,
        redis=providers.Singleton(RedisCache, client=redis, key_prefix=settings.provided.cache.key_prefix),
        off=providers.Singleton(NullCache),
    )

    # --- Health: features append their checks to the list of their mode ----------------------------------------
    postgres_health = providers.Singleton(PostgresHealthCheck, engine)
    redis_health = providers.Singleton(RedisHealthCheck, redis, required=settings.provided.cache.required_for_readiness)
    health_checks = providers.Selector(
        settings.provided.cache.mode,
        redis=providers.List(postgres_health, redis_health),
        off=providers.List(postgres_health),
    )
    check_health = providers.Factory(
        CheckHealth, checks=health_checks, timeout_seconds=settings.provided.observability.health_timeout_seconds
    )


def build_container(settings: Settings) -> Container:
    """A container for these settings. Start its resources before use; shut them down after."""
    return Container(settings=settings)


def lifecycle_resources(container: Container) -> list[providers.Provider[Any]]:
    """The resources to start, in start order; they stop in the reverse order. Redis only when the cache is on."""
    resources: list[providers.Provider[Any]] = [container.logging, container.engine]
    if container.settings().cache.mode is CacheMode.REDIS:
        resources.append(container.redis)
    return resources


@asynccontextmanager
async def running(container: Container) -> AsyncIterator[Container]:
    """Start the container's resources in order, yield, then shut down those started, in reverse order.

    A resource that fails to start stops the ones already started before the error propagates.
    """
    started: list[providers.Provider[Any]] = []
    try:
        for resource in map(_effective, lifecycle_resources(container)):
            initialised = resource.init()  # type: ignore[attr-defined]
            if inspect.isawaitable(initialised):
                await initialised
            started.append(resource)
        yield container
    finally:
        for resource in reversed(started):
            stopped = resource.shutdown()
            if inspect.isawaitable(stopped):
                await stopped


def _effective(provider: providers.Provider[Any]) -> providers.Provider[Any]:
    """The provider that actually answers: the last override (tests swap resources this way), else the provider."""
    while provider.overridden and provider.last_overriding is not None:
        provider = provider.last_overriding
    return provider
