"""The composition root: the only place that builds engines, clients, adapters and use cases.

Nothing here connects or reads the environment at import time. ``build_container(settings)`` gives a container whose
resources (logging, database engine, the key ring's reloading, Redis client, the denylist's subscription, Temporal
client) start in order inside ``async with running(container):`` — the API's lifespan and the worker's start-up use
it — and stop in the reverse order when it exits. Redis is started whatever the cache mode: rate limits and the partner
API's nonces live there too.
Tests change behaviour only with ``container.<provider>.override(...)``.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from functools import partial
from typing import Any

from dependency_injector import containers, providers
from opentelemetry.sdk.trace import TracerProvider
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.types import ASGIApp

from keel.application.api_clients import (
    AuthenticateApiClient,
    CreateApiClient,
    ListApiClients,
    RetirePreviousSecret,
    RevokeApiClient,
    RotateApiClientSecret,
)
from keel.application.audit import AuditPolicy, AuditWriter, ListAuditEvents, request_contexts
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
from keel.application.events import EventBus, HandlerFailures, InProcessEventBus
from keel.application.health import CheckHealth
from keel.application.jobs import (
    ActAsUser,
    CancelJob,
    ExportUsers,
    FinishImport,
    FinishJob,
    GetAnyJob,
    GetJob,
    ImportUsersChunk,
    OpenJobFile,
    StartJob,
    StartUserExport,
    StartUserImport,
)
from keel.application.maintenance import MarkStaleJobs, PurgeDeletedUsers, RunMaintenance
from keel.application.outbox import OutboxPolicy, OutboxWriter
from keel.application.ports import SystemClock
from keel.application.tenants import CreateOwner, CreateTenant
from keel.application.unit_of_work import BeforeCommit, UnitOfWork, UnitOfWorkFactory
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
from keel.infrastructure.cache.census import UserCacheCensus
from keel.infrastructure.cache.client import redis_resource
from keel.infrastructure.cache.health import RedisHealthCheck
from keel.infrastructure.cache.stats import CacheStats
from keel.infrastructure.cache.training import CacheDictionaryTrainer
from keel.infrastructure.cache.user_codec import shipped_user_cache_codec
from keel.infrastructure.cache.user_repository import cached_user_repositories
from keel.infrastructure.cache.user_store import UserCacheStore
from keel.infrastructure.database.engine import engine_resource, read_only_session_factory, session_factory
from keel.infrastructure.database.health import PostgresHealthCheck
from keel.infrastructure.database.statement_counter import NPlusOneDetector, statement_counting_resource
from keel.infrastructure.email.rendering import JinjaEmailRenderer
from keel.infrastructure.email.smtp import SmtpEmailSender
from keel.infrastructure.logging import configure_logging
from keel.infrastructure.metrics.adapters import (
    PrometheusHandlerFailures,
    PrometheusRateLimitMetrics,
    PrometheusWorkflowMetrics,
)
from keel.infrastructure.metrics.collectors import (
    CacheCollector,
    DatabasePoolCollector,
    RateLimitCollector,
    pool_metrics_resource,
)
from keel.infrastructure.metrics.exposition import MetricsExposition
from keel.infrastructure.metrics.http import HttpMetricsMiddleware
from keel.infrastructure.metrics.registry import KeelMetrics
from keel.infrastructure.metrics.worker import WorkerMetricsEndpoint
from keel.infrastructure.migrations import MigrationService
from keel.infrastructure.outbound import PublicUrlPolicy, SystemResolver
from keel.infrastructure.outbox import Backoff, OutboxRelay, SqlAlchemyOutboxStore
from keel.infrastructure.persistence import SqlAlchemyUnitOfWork, SqlAlchemyUserRepository, UserRepositoryFactory
from keel.infrastructure.persistence.table_statistics import TableStatistics
from keel.infrastructure.rate_limits import RateLimitStats, RedisRateLimiter
from keel.infrastructure.security import (
    AesGcmSecretSealer,
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
    load_client_secret_key,
    load_key_ring,
)
from keel.infrastructure.security.nonce_register import RedisNonceRegister
from keel.infrastructure.storage import LocalFileStorage
from keel.infrastructure.telemetry.asgi import TracingMiddleware
from keel.infrastructure.telemetry.tracing import (
    new_tracer_provider,
    otlp_span_processor,
    temporal_tracing_interceptors,
    tracing_resource,
)
from keel.infrastructure.temporal.activities.exports import ExportActivities
from keel.infrastructure.temporal.activities.jobs import JobActivities
from keel.infrastructure.temporal.activities.maintenance import MaintenanceActivities
from keel.infrastructure.temporal.client import temporal_resource
from keel.infrastructure.temporal.dispatcher import TemporalOutboxDispatcher
from keel.infrastructure.temporal.health import TemporalHealthCheck
from keel.infrastructure.temporal.job_workflows import TemporalJobWorkflows
from keel.infrastructure.temporal.maintenance_schedule import ensure_maintenance_schedule
from keel.infrastructure.temporal.metrics import WorkflowFailureCounting
from keel.infrastructure.temporal.worker import build_workers
from keel.settings import CacheMode, Settings


def unit_of_work_factory(
    *,
    session_factory: async_sessionmaker[AsyncSession],
    read_only_session_factory: async_sessionmaker[AsyncSession],
    event_bus: EventBus,
    failures: HandlerFailures | None = None,
    user_repository: UserRepositoryFactory = SqlAlchemyUserRepository.for_session,
    before_commit: Sequence[BeforeCommit] = (),
) -> UnitOfWorkFactory:
    """The use cases' ``UnitOfWorkFactory``: a fresh PostgreSQL unit of work per call (the tests build theirs with it
    too, on their own engine)."""

    def new_unit_of_work(*, read_only: bool = False) -> UnitOfWork:
        return SqlAlchemyUnitOfWork(
            session_factory,
            event_bus,
            failures,
            read_only=read_only,
            read_only_session_factory=read_only_session_factory,
            user_repository=user_repository,
            before_commit=before_commit,
        )

    return new_unit_of_work


# --- Observability helpers (the providers are in the last block of the container) -----------------------------------

type AsgiLayer = Callable[[ASGIApp], ASGIApp]


def http_observability_middleware(
    *,
    settings: Settings,
    metrics: KeelMetrics,
    collectors: Callable[[], object],
    tracer_provider: Callable[[], TracerProvider],
) -> list[AsgiLayer]:
    """The API's observability middleware, outermost first: request metrics, server spans, N+1 detection.

    Each is there only when on (metrics: ``metrics_enabled``; spans: an OTLP endpoint; N+1: outside production), so a
    disabled concern costs nothing per request.
    """
    observability = settings.observability
    layers: list[AsgiLayer] = []
    if observability.metrics_enabled:
        collectors()  # the scrape-time collectors, registered once
        layers.append(partial(HttpMetricsMiddleware, metrics=metrics))
    if observability.tracing_enabled:
        layers.append(partial(TracingMiddleware, provider=tracer_provider()))
    if not settings.is_production:
        layers.append(partial(NPlusOneDetector, threshold=observability.n_plus_one_threshold))
    return layers


def register_metrics_collectors(
    metrics: KeelMetrics, *, pool: DatabasePoolCollector, cache_stats: CacheStats, rate_limit_stats: RateLimitStats
) -> KeelMetrics:
    """Add the scrape-time collectors (pool usage, cache and rate-limit counters) to the registry; once per
    container."""
    metrics.registry.register(pool)
    metrics.registry.register(CacheCollector(cache_stats))
    metrics.registry.register(RateLimitCollector(rate_limit_stats))
    return metrics


class Container(containers.DeclarativeContainer):
    __self__ = providers.Self()  # forward references to the observability block: `__self__.provided.x.call()`
    settings = providers.Dependency(instance_of=Settings)

    logging = providers.Resource(
        configure_logging,
        level=settings.provided.observability.log_level,
        log_format=settings.provided.observability.log_format,
        production=settings.provided.is_production,
        service=settings.provided.observability.service_name,
        trace_context=settings.provided.observability.tracing_enabled,
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

    # --- Temporal: the client, connected on first use (the API starts while Temporal is down) ---------------------
    temporal = providers.Resource(
        temporal_resource,
        settings=settings.provided.temporal,
        interceptors=__self__.provided.temporal_interceptors.call(),
    )

    # --- Health: features append their checks to the list of their mode ----------------------------------------
    postgres_health = providers.Singleton(PostgresHealthCheck, engine)
    redis_health = providers.Singleton(RedisHealthCheck, redis, required=settings.provided.cache.required_for_readiness)
    temporal_health = providers.Singleton(
        TemporalHealthCheck, temporal, required=settings.provided.temporal.required_for_readiness
    )
    health_checks = providers.Selector(
        settings.provided.cache.mode,
        redis=providers.List(postgres_health, redis_health, temporal_health),
        off=providers.List(postgres_health, temporal_health),
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
    client_secret_key = providers.Singleton(
        load_client_secret_key, settings.provided.security, settings.provided.environment
    )
    secret_sealer = providers.Singleton(AesGcmSecretSealer, client_secret_key)
    nonce_register = providers.Singleton(
        RedisNonceRegister, client=redis, key_prefix=settings.provided.cache.key_prefix
    )

    # --- Rate limits (Redis, one script call per counted request) and outbound URLs (webhooks) ----------------------
    rate_limit_breaker = providers.Singleton(
        CircuitBreaker,
        failure_threshold=settings.provided.cache.breaker_failure_threshold,
        open_seconds=settings.provided.cache.breaker_open_seconds,
        name="rate_limit",
    )
    rate_limit_stats = providers.Singleton(RateLimitStats, rate_limit_breaker)
    rate_limiter = providers.Singleton(
        RedisRateLimiter,
        client=redis,
        key_prefix=settings.provided.cache.key_prefix,
        breaker=rate_limit_breaker,
        stats=rate_limit_stats,
    )
    host_resolver = providers.Singleton(SystemResolver)
    outbound_url_policy = providers.Singleton(PublicUrlPolicy, host_resolver)

    # --- Units of work: the users repository is a runtime choice (cached in Redis, or plain SQL) ---------------------
    handler_failures = __self__.provided.event_handler_failures.call()
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
        stats=__self__.provided.user_cache_stats.call(),
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
    user_cache_census = providers.Factory(UserCacheCensus, redis, key_prefix=settings.provided.cache.key_prefix)
    # Before-commit handlers write in the use case's transaction: the outbox (the messages events ask for).
    outbox_writer = providers.Singleton(OutboxWriter, providers.Singleton(OutboxPolicy, ids))
    # --- Audit log: a before-commit handler too; who acts and from where comes from the request context ---------
    request_contexts = providers.Object(request_contexts)
    audit_writer = providers.Singleton(AuditWriter, providers.Singleton(AuditPolicy, ids, request_contexts))
    # ---------------------------------------------------------------------------------------------------------------
    uow_factory = providers.Singleton(
        unit_of_work_factory,
        session_factory=session_factory,
        read_only_session_factory=read_only_session_factory,
        event_bus=event_bus,
        failures=handler_failures,
        user_repository=user_repository_factory,
        before_commit=providers.List(outbox_writer, audit_writer),
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
    list_audit_events = providers.Singleton(ListAuditEvents, uow_factory)
    create_owner = providers.Singleton(
        CreateOwner, uow_factory, create_tenant, create_user
    )  # `keel users create-owner`

    # --- API clients and the partner API's signed requests ---------------------------------------------------------
    create_api_client = providers.Singleton(CreateApiClient, uow_factory, secret_sealer, clock, ids)
    list_api_clients = providers.Singleton(ListApiClients, uow_factory)
    rotate_api_client_secret = providers.Singleton(
        RotateApiClientSecret,
        uow_factory,
        secret_sealer,
        clock,
        default_rollover=providers.Factory(timedelta, seconds=settings.provided.security.api_client_rollover_seconds),
    )
    retire_previous_secret = providers.Singleton(RetirePreviousSecret, uow_factory, clock)
    revoke_api_client = providers.Singleton(RevokeApiClient, uow_factory, clock)
    authenticate_api_client = providers.Singleton(
        AuthenticateApiClient,
        uow_factory,
        secret_sealer,
        nonce_register,
        clock,
        max_skew_seconds=settings.provided.security.partner_max_skew_seconds,
    )

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

    # --- Batch jobs: files, the jobs use cases (API side) and the activities that run imports (worker side) --------
    file_storage = providers.Singleton(LocalFileStorage, settings.provided.jobs.storage_dir)
    job_workflows = providers.Singleton(TemporalJobWorkflows, temporal)
    start_user_import = providers.Singleton(
        StartUserImport, uow_factory, file_storage, clock, ids, max_bytes=settings.provided.jobs.import_max_bytes
    )
    get_job = providers.Singleton(GetJob, uow_factory)
    finish_job = providers.Singleton(FinishJob, uow_factory, clock, ids)
    cancel_job = providers.Singleton(CancelJob, get_job, finish_job, job_workflows)
    open_job_file = providers.Singleton(OpenJobFile, get_job, file_storage)
    act_as_user = providers.Singleton(ActAsUser, uow_factory)  # `keel jobs`
    get_any_job = providers.Singleton(GetAnyJob, uow_factory)
    job_activities = providers.Singleton(
        JobActivities,
        providers.Singleton(StartJob, uow_factory, file_storage, clock),
        providers.Singleton(
            ImportUsersChunk,
            uow_factory,
            file_storage,
            providers.Singleton(
                CreateUsersBatch,
                uow_factory,
                password_hasher,
                clock,
                ids,
                max_batch_size=settings.provided.jobs.import_chunk_size,
            ),
            clock,
            chunk_size=settings.provided.jobs.import_chunk_size,
        ),
        providers.Singleton(FinishImport, uow_factory, file_storage, finish_job),
        finish_job,
        statistics=providers.Singleton(TableStatistics, engine),
    )
    start_user_export = providers.Singleton(StartUserExport, uow_factory, clock, ids)
    export_users = providers.Singleton(
        ExportUsers, uow_factory, file_storage, clock, page_size=settings.provided.jobs.export_page_size
    )
    export_activities = providers.Singleton(ExportActivities, export_users, finish_job)

    # --- Maintenance: purge old soft-deleted users, fail stale jobs (the worker's schedule; `keel maintenance run`) --
    purge_deleted_users = providers.Singleton(
        PurgeDeletedUsers,
        uow_factory,
        clock,
        retention=providers.Factory(timedelta, days=settings.provided.maintenance.user_retention_days),
        batch_size=settings.provided.maintenance.purge_batch_size,
    )
    mark_stale_jobs = providers.Singleton(
        MarkStaleJobs,
        uow_factory,
        clock,
        ids,
        threshold=providers.Factory(timedelta, minutes=settings.provided.maintenance.stale_job_minutes),
        batch_size=settings.provided.maintenance.purge_batch_size,
    )
    run_maintenance = providers.Singleton(RunMaintenance, purge_deleted_users, mark_stale_jobs)
    maintenance_activities = providers.Singleton(MaintenanceActivities, purge_deleted_users, mark_stale_jobs)
    # Called by the worker with its connected client: `maintenance_schedule(client=client)`.
    maintenance_schedule = providers.Factory(ensure_maintenance_schedule, settings=settings.provided.maintenance)

    # --- The worker process: the outbox relay and the Temporal workers ----------------------------------------------
    outbox_relay = providers.Singleton(
        OutboxRelay,
        providers.Singleton(SqlAlchemyOutboxStore, session_factory),
        providers.Singleton(
            TemporalOutboxDispatcher,
            temporal,
            email_task_queue=settings.provided.temporal.email_task_queue,
            metrics=__self__.provided.workflow_metrics.call(),
            jobs_task_queue=settings.provided.temporal.task_queue,
            start_timeout=settings.provided.temporal.outbox_start_timeout_seconds,
        ),
        clock,
        batch_size=settings.provided.temporal.outbox_batch_size,
        poll_interval_seconds=settings.provided.temporal.outbox_poll_interval_seconds,
        backoff=providers.Singleton(
            Backoff.of_seconds,
            settings.provided.temporal.outbox_backoff_initial_seconds,
            settings.provided.temporal.outbox_backoff_max_seconds,
        ),
        lag_log_interval_seconds=settings.provided.temporal.outbox_lag_log_interval_seconds,
    )
    # The DeliverEmail the email activity calls.
    email_delivery = deliver_email
    # Called by the worker with its connected client: `temporal_workers(client=client)`.
    temporal_workers = providers.Factory(
        build_workers,
        settings=settings.provided.temporal,
        deliver_email=email_delivery,
        job_activities=job_activities,
        export_activities=export_activities,
        interceptors=__self__.provided.worker_interceptors.call(),
        maintenance_activities=maintenance_activities,
        maintenance_task_queue=settings.provided.maintenance.task_queue,
    )

    # --- Observability: Prometheus metrics, OpenTelemetry tracing (only with an OTLP endpoint), N+1 detection -------
    metrics = providers.Singleton(KeelMetrics)
    user_cache_stats = providers.Singleton(CacheStats, user_cache_breaker)
    pool_collector = providers.Singleton(DatabasePoolCollector)
    pool_metrics = providers.Resource(pool_metrics_resource, pool_collector, engine)
    metrics_collectors = providers.Singleton(
        register_metrics_collectors,
        metrics,
        pool=pool_collector,
        cache_stats=user_cache_stats,
        rate_limit_stats=rate_limit_stats,
    )
    metrics_exposition = providers.Singleton(
        MetricsExposition, metrics.provided.registry, bearer_token=settings.provided.observability.metrics_bearer_token
    )
    event_handler_failures = providers.Singleton(PrometheusHandlerFailures, metrics)
    workflow_metrics = providers.Singleton(PrometheusWorkflowMetrics, metrics)
    worker_interceptors = providers.List(providers.Singleton(WorkflowFailureCounting, workflow_metrics.provided.failed))
    # For the rate limiter: `RateLimitMetrics.rejected(route_class=...)` once per refused request.
    rate_limit_metrics = providers.Singleton(PrometheusRateLimitMetrics, metrics)
    worker_metrics = providers.Singleton(
        WorkerMetricsEndpoint,
        metrics_collectors,
        metrics_exposition,
        clock,
        enabled=settings.provided.observability.metrics_enabled,
        host=settings.provided.observability.worker_metrics_host,
        port=settings.provided.observability.worker_metrics_port,
    )
    tracer_provider = providers.Singleton(new_tracer_provider, settings.provided.observability)
    span_processor = providers.Singleton(otlp_span_processor, settings.provided.observability)  # tests override it
    tracing = providers.Resource(tracing_resource, tracer_provider, span_processor, engine)
    temporal_interceptors = providers.Callable(
        temporal_tracing_interceptors,
        enabled=settings.provided.observability.tracing_enabled,
        provider=tracer_provider.provider,
    )
    n_plus_one_counting = providers.Resource(statement_counting_resource, engine)
    http_observability = providers.Callable(
        http_observability_middleware,
        settings=settings,
        metrics=metrics,
        collectors=metrics_collectors.provider,
        tracer_provider=tracer_provider.provider,
    )


def build_container(settings: Settings) -> Container:
    """A container for these settings. Start its resources before use; shut them down after."""
    return Container(settings=settings)


def lifecycle_resources(container: Container) -> list[providers.Provider[Any]]:
    """The resources to start, in start order; they stop in the reverse order. Redis whatever the cache mode (rate
    limits and nonces need it; its client connects at its first command); the subscription that keeps the
    access-token denylist current when the cache is on."""
    resources: list[providers.Provider[Any]] = [container.logging, container.engine, container.key_ring_reloader]
    settings = container.settings()
    if settings.observability.metrics_enabled:  # the pool's figures, read at scrape time
        resources.append(container.pool_metrics)
    if settings.observability.tracing_enabled:  # instruments the engine, Redis and httpx: after the engine
        resources.append(container.tracing)
    if not settings.is_production:
        resources.append(container.n_plus_one_counting)
    resources.append(container.redis)
    if settings.cache.mode is CacheMode.REDIS:
        resources.append(container.denylist_follower)
    resources.append(container.temporal)
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
