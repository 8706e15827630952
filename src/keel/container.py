"""The composition root: the only place that builds engines, clients, adapters and use cases.

Nothing here connects or reads the environment at import time. ``build_container(settings)`` gives a container whose
resources (logging, database engine, the key ring's reloading, Redis client, the denylist's subscription) start in
order inside ``async with running(container):`` — the API's lifespan and the worker's start-up use it — and stop in
the reverse order when it exits.
Tests change behaviour only with ``container.<provider>.override(...)``.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from dependency_injector import containers, providers
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from keel.application.auth import (
    Login,
    Logout,
    PurgeExpiredTokens,
    RefreshSession,
    RequestEmailVerification,
    RequestPasswordReset,
    ResetPassword,
    SessionTokens,
    VerifyEmail,
)
from keel.application.email import DeliverEmailUseCase
from keel.application.events import EventBus, HandlerFailureCounts, HandlerFailures, InProcessEventBus
from keel.application.health import CheckHealth
from keel.application.ports import SystemClock
from keel.application.tenants import CreateTenant
from keel.application.unit_of_work import UnitOfWork, UnitOfWorkFactory
from keel.application.users import (
    CreateUser,
    CreateUsersBatch,
    DeleteUser,
    GetUser,
    ListUsers,
    RestoreUser,
    UpdateUser,
)
from keel.domain.ids import Uuid7Generator
from keel.infrastructure.cache.backends import NullCache, RedisCache
from keel.infrastructure.cache.breaker import CircuitBreaker
from keel.infrastructure.cache.client import redis_resource
from keel.infrastructure.cache.health import RedisHealthCheck
from keel.infrastructure.cache.training import CacheDictionaryTrainer
from keel.infrastructure.cache.user_codec import shipped_user_cache_codec
from keel.infrastructure.cache.user_repository import cached_user_repositories
from keel.infrastructure.cache.user_store import UserCacheStore
from keel.infrastructure.database.engine import engine_resource, read_only_session_factory, session_factory
from keel.infrastructure.database.health import PostgresHealthCheck
from keel.infrastructure.email.rendering import JinjaEmailRenderer
from keel.infrastructure.email.smtp import SmtpEmailSender
from keel.infrastructure.logging import configure_logging
from keel.infrastructure.migrations import MigrationService
from keel.infrastructure.persistence import SqlAlchemyUnitOfWork, SqlAlchemyUserRepository, UserRepositoryFactory
from keel.infrastructure.security import (
    Argon2PasswordHasher,
    DeniedAccessTokens,
    JwtAccessTokenIssuer,
    JwtAccessTokenVerifier,
    KeyRingCursorCodec,
    PublicKeySet,
    RedisAccessTokenDenylist,
    VerifiedTokens,
    denylist_subscription,
    key_ring_directory,
    key_ring_reloading,
    load_key_ring,
)
from keel.settings import CacheMode, Settings


def unit_of_work_factory(
    *,
    session_factory: async_sessionmaker[AsyncSession],
    read_only_session_factory: async_sessionmaker[AsyncSession],
    event_bus: EventBus,
    failures: HandlerFailures,
    user_repository: UserRepositoryFactory,
) -> UnitOfWorkFactory:
    """The use cases' ``UnitOfWorkFactory``: a fresh PostgreSQL unit of work per call."""

    def new_unit_of_work(*, read_only: bool = False) -> UnitOfWork:
        return SqlAlchemyUnitOfWork(
            session_factory,
            event_bus,
            failures,
            read_only=read_only,
            read_only_session_factory=read_only_session_factory,
            user_repository=user_repository,
        )

    return new_unit_of_work


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
    read_only_session_factory = providers.Singleton(read_only_session_factory, engine)
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

    # --- Security: keys, passwords, access tokens, page cursors ---------------------------------------------------
    clock = providers.Singleton(SystemClock)
    ids = providers.Singleton(Uuid7Generator)
    # The keys in effect (a configured PEM, or a key ring re-read every `key_ring_reload_seconds` while running).
    key_ring = providers.Singleton(load_key_ring, settings.provided.security, settings.provided.environment)
    key_ring_reloader = providers.Resource(
        key_ring_reloading, key_ring, settings.provided.security.key_ring_reload_seconds
    )
    key_ring_directory = providers.Singleton(
        key_ring_directory, settings.provided.security, settings.provided.environment
    )
    password_hasher = providers.Singleton(
        Argon2PasswordHasher,
        time_cost=settings.provided.security.argon2_time_cost,
        memory_cost_kib=settings.provided.security.argon2_memory_cost_kib,
        parallelism=settings.provided.security.argon2_parallelism,
    )
    token_issuer = providers.Singleton(
        JwtAccessTokenIssuer,
        key_ring,
        issuer=settings.provided.security.jwt_issuer,
        audience=settings.provided.security.jwt_audience,
        ttl_seconds=settings.provided.security.access_token_ttl_seconds,
        clock=clock,
    )
    # The denylist of access tokens ended by logout: this process's copy is what every request checks; with Redis it
    # is shared (publish on deny, a subscription keeps the copy current), without Redis it is this process's alone.
    denied_tokens = providers.Singleton(DeniedAccessTokens)
    redis_denylist = providers.Singleton(
        RedisAccessTokenDenylist, redis, denied_tokens, key_prefix=settings.provided.cache.key_prefix
    )
    access_token_denylist = providers.Selector(
        settings.provided.cache.mode,
        redis=redis_denylist,
        off=denied_tokens,
    )
    denylist_follower = providers.Resource(denylist_subscription, redis_denylist, settings.provided.cache)
    access_token_verifier = providers.Singleton(
        JwtAccessTokenVerifier,
        key_ring,
        issuer=settings.provided.security.jwt_issuer,
        audience=settings.provided.security.jwt_audience,
        leeway_seconds=settings.provided.security.jwt_leeway_seconds,
        verified=providers.Singleton(VerifiedTokens, settings.provided.security.verified_token_cache_size),
        denied=denied_tokens,
    )
    published_keys = providers.Singleton(PublicKeySet, key_ring)
    cursor_codec = providers.Singleton(KeyRingCursorCodec, key_ring)
    session_tokens = providers.Singleton(
        SessionTokens,
        token_issuer,
        ids,
        refresh_ttl_seconds=settings.provided.security.refresh_token_ttl_seconds,
    )

    # --- Units of work: the users repository is a runtime choice (cached in Redis, or plain SQL) ---------------------
    handler_failures = providers.Singleton(HandlerFailureCounts)
    event_bus = providers.Singleton(InProcessEventBus, failures=handler_failures)
    user_cache_breaker = providers.Singleton(
        CircuitBreaker,
        failure_threshold=settings.provided.cache.breaker_failure_threshold,
        open_seconds=settings.provided.cache.breaker_open_seconds,
    )
    user_cache_store = providers.Singleton(
        UserCacheStore,
        client=redis,
        codec=providers.Singleton(shipped_user_cache_codec),
        key_prefix=settings.provided.cache.key_prefix,
        ttl_seconds=settings.provided.cache.default_ttl_seconds,
        breaker=user_cache_breaker,
        lease_seconds=settings.provided.cache.lease_seconds,
        lease_wait_seconds=settings.provided.cache.lease_wait_seconds,
    )
    user_repository_factory = providers.Selector(
        settings.provided.cache.mode,
        redis=providers.Singleton(
            cached_user_repositories,
            store=user_cache_store,
            inner=providers.Object(SqlAlchemyUserRepository.for_session),
        ),
        off=providers.Object(SqlAlchemyUserRepository.for_session),
    )
    cache_dictionary_trainer = providers.Factory(CacheDictionaryTrainer)
    uow_factory = providers.Singleton(
        unit_of_work_factory,
        session_factory=session_factory,
        read_only_session_factory=read_only_session_factory,
        event_bus=event_bus,
        failures=handler_failures,
        user_repository=user_repository_factory,
    )

    # --- Use cases ----------------------------------------------------------------------------------------------------
    create_tenant = providers.Singleton(CreateTenant, uow_factory, password_hasher, clock, ids)
    login = providers.Singleton(Login, uow_factory, password_hasher, session_tokens, clock)
    refresh_session = providers.Singleton(RefreshSession, uow_factory, session_tokens, clock)
    logout = providers.Singleton(Logout, uow_factory, access_token_denylist, clock)
    request_password_reset = providers.Singleton(
        RequestPasswordReset,
        uow_factory,
        clock,
        ids,
        ttl_seconds=settings.provided.security.password_reset_ttl_seconds,
    )
    reset_password = providers.Singleton(ResetPassword, uow_factory, password_hasher, clock)
    request_email_verification = providers.Singleton(
        RequestEmailVerification,
        uow_factory,
        clock,
        ids,
        ttl_seconds=settings.provided.security.email_verification_ttl_seconds,
    )
    verify_email = providers.Singleton(VerifyEmail, uow_factory, clock)
    purge_expired_tokens = providers.Factory(PurgeExpiredTokens, uow_factory, clock)
    create_user = providers.Singleton(CreateUser, uow_factory, password_hasher, clock, ids)
    create_users_batch = providers.Singleton(
        CreateUsersBatch, uow_factory, password_hasher, clock, ids, max_batch_size=settings.provided.api.users_batch_max
    )
    get_user = providers.Singleton(GetUser, uow_factory)
    list_users = providers.Singleton(ListUsers, uow_factory)
    update_user = providers.Singleton(UpdateUser, uow_factory, clock)
    delete_user = providers.Singleton(DeleteUser, uow_factory, clock)
    restore_user = providers.Singleton(RestoreUser, uow_factory, clock)

    # --- Email: the shipped templates, SMTP, and the delivery of requested messages (one record per message id) ----
    email_renderer = providers.Singleton(JinjaEmailRenderer, settings.provided.email.public_base_url)
    email_sender = providers.Singleton(SmtpEmailSender, settings.provided.email, clock)
    deliver_email = providers.Singleton(
        DeliverEmailUseCase,
        uow_factory,
        email_renderer,
        email_sender,
        clock,
        claim_seconds=settings.provided.email.claim_seconds,
    )


def build_container(settings: Settings) -> Container:
    """A container for these settings. Start its resources before use; shut them down after."""
    return Container(settings=settings)


def lifecycle_resources(container: Container) -> list[providers.Provider[Any]]:
    """The resources to start, in start order; they stop in the reverse order. Redis, and the subscription that keeps
    the access-token denylist current, only when the cache is on."""
    resources: list[providers.Provider[Any]] = [container.logging, container.engine, container.key_ring_reloader]
    if container.settings().cache.mode is CacheMode.REDIS:
        resources += [container.redis, container.denylist_follower]
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
