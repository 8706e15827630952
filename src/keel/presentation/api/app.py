"""The application factory: ``create_app(settings)`` builds a FastAPI app around one container."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from keel.container import Container, build_container, running
from keel.presentation.api import v1, v2
from keel.presentation.api.client_address import TrustedProxies
from keel.presentation.api.deprecation import DeprecationHeadersMiddleware, resolve
from keel.presentation.api.lifecycle import ShutdownState
from keel.presentation.api.middleware.body_limit import BodyLimitMiddleware
from keel.presentation.api.middleware.request_context import REQUEST_ID_HEADER, RequestContextMiddleware
from keel.presentation.api.middleware.response_headers import ResponseHeadersMiddleware
from keel.presentation.api.middleware.trusted_hosts import TrustedHostMiddleware
from keel.presentation.api.problems import Problem, install_problem_handlers
from keel.presentation.api.rate_limiting import quotas_from
from keel.presentation.api.routers import health, metrics, well_known
from keel.presentation.api.versions import deprecations, install_version_documents
from keel.settings import Settings, SettingsError, load_settings

MULTIPART_ENVELOPE_BYTES = 64 * 1024  # boundaries and part headers around an uploaded file


def create_app(settings: Settings, *, container: Container | None = None) -> FastAPI:
    """An app serving ``settings``. Its resources start with the ASGI lifespan and stop, in reverse, after it."""
    container = container or build_container(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        async with running(container):
            yield

    app = FastAPI(
        title="keel",
        version="1",
        lifespan=lifespan,
        debug=False,  # tracebacks never reach clients, even with KEEL_DEBUG on
        docs_url="/docs" if settings.api.docs_enabled else None,
        redoc_url="/redoc" if settings.api.docs_enabled else None,
        openapi_url="/openapi.json" if settings.api.docs_enabled else None,
        root_path=settings.api.root_path,
    )
    app.state.settings = settings
    app.state.container = container
    app.state.shutdown = ShutdownState()  # set draining by `keel serve` on SIGTERM: readiness then answers 503
    app.state.quotas = quotas_from(settings.rate_limit)
    app.state.trusted_proxies = TrustedProxies(settings.api.trusted_proxies)

    install_problem_handlers(app)
    for router in v1.routers:
        app.include_router(router, prefix=v1.PREFIX)
    app.include_router(health.router)
    app.include_router(well_known.router)
    if settings.observability.metrics_enabled:
        app.include_router(metrics.router)
    _declare_problem_schema(app)
    # --- API versions: v2 beside v1, one OpenAPI document per version, headers on deprecated routes ---------------
    for router in v2.routers:
        app.include_router(router, prefix=v2.PREFIX)
    if settings.api.docs_enabled:
        install_version_documents(app)
    app.add_middleware(DeprecationHeadersMiddleware, deprecated=resolve(app.routes, deprecations(settings)))
    # ---------------------------------------------------------------------------------------------------------------

    _add_middleware(app, settings)
    # Observability (metrics, server spans, N+1 detection) outside everything: they see every request and its status.
    for layer in reversed(container.http_observability()):
        app.add_middleware(layer)
    return app


def _add_middleware(app: FastAPI, settings: Settings) -> None:
    """Pure ASGI middleware only. Each ``add_middleware`` wraps the ones before it, so from the outside in: request
    context (request id, last-resort 500), response headers, trusted hosts, body limit, CORS, then the app."""
    if settings.api.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.api.cors_origins,
            allow_credentials=settings.api.cors_allow_credentials,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type", "If-Match", "If-None-Match", REQUEST_ID_HEADER],
            expose_headers=[
                "ETag",
                "Location",
                "Retry-After",
                "RateLimit",
                "RateLimit-Policy",
                REQUEST_ID_HEADER,
            ],
        )
    # The CSV import takes files up to `jobs.import_max_bytes` (plus the multipart envelope) and checks that itself.
    # (The ASGI path may or may not carry the root path, depending on the server: both are listed.)
    import_path = f"{v1.PREFIX}/users/imports"
    import_limit = settings.jobs.import_max_bytes + MULTIPART_ENVELOPE_BYTES
    app.add_middleware(
        BodyLimitMiddleware,
        max_body_bytes=settings.api.max_body_bytes,
        path_limits={import_path: import_limit, f"{settings.api.root_path}{import_path}": import_limit},
    )
    hosts = settings.api.trusted_hosts
    if hosts and "*" not in hosts:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=hosts)
    hsts = settings.api.hsts_max_age_seconds if settings.is_production else None
    app.add_middleware(ResponseHeadersMiddleware, hsts_max_age=hsts or None)
    # Added last, so it wraps everything above: every response, CORS preflights and refusals included, carries the
    # request id.
    app.add_middleware(RequestContextMiddleware)


def _declare_problem_schema(app: FastAPI) -> None:
    """Make ``#/components/schemas/Problem`` exist even before a route references it."""
    original = app.openapi

    def openapi() -> dict[str, object]:
        if app.openapi_schema is None:
            schema = original()
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            components.setdefault("Problem", Problem.model_json_schema(ref_template="#/components/schemas/{model}"))
            for name, definition in (
                Problem.model_json_schema(ref_template="#/components/schemas/{model}").get("$defs", {}).items()
            ):
                components.setdefault(name, definition)
            components["Problem"].pop("$defs", None)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def create_app_from_environment() -> FastAPI:
    """For ``uvicorn --factory keel.presentation.api.app:create_app_from_environment`` (several worker processes).

    Invalid settings end the process with one readable message and exit status 2, without a traceback.
    """
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"keel: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    return create_app(settings)
