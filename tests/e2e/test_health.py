"""Liveness and readiness against the real PostgreSQL, Redis and Temporal, and what happens when one is gone.

The test settings point Temporal at a port nothing listens on; the tests that need it answering use the dev server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from dependency_injector import providers
from fastapi import FastAPI
from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from keel.container import Container, build_container
from keel.presentation.api.app import create_app
from keel.settings import Settings
from support.temporal import TEMPORAL_GROUP, DevServer

pytestmark = pytest.mark.e2e


async def _engine_of_a_missing_database(url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(make_url(url).set(database="keel_no_such_database"), pool_pre_ping=True)
    yield engine
    await engine.dispose()


async def _client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://keel.test") as http,
    ):
        yield http


async def test_live_answers_without_touching_dependencies(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "pass"}


@pytest.mark.xdist_group(TEMPORAL_GROUP)
async def test_ready_reports_each_check_with_latency(settings: Settings, temporal_dev_server: DevServer) -> None:
    temporal = settings.temporal.model_copy(update={"address": temporal_dev_server.address})
    async for client in _client(create_app(settings.model_copy(update={"temporal": temporal}))):
        response = await client.get("/health/ready")
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "pass"
        assert set(body["checks"]) == {"postgres", "redis", "temporal"}
        for check in body["checks"].values():
            assert check["status"] == "pass"
            assert check["latency_ms"] >= 0
        assert response.headers["cache-control"] == "no-store"


async def test_temporal_down_degrades_readiness_by_default(client: httpx.AsyncClient) -> None:
    """The API started although Temporal is unreachable, and serves: only the outbox relay needs Temporal."""
    response = await client.get("/health/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "warn"
    assert body["checks"]["temporal"]["status"] == "fail"
    assert body["checks"]["temporal"]["required"] is False
    assert body["checks"]["temporal"]["error"] == "TemporalUnavailable"
    assert {body["checks"]["postgres"]["status"], body["checks"]["redis"]["status"]} == {"pass"}


async def test_temporal_down_fails_readiness_when_required(settings: Settings) -> None:
    strict = settings.model_copy(
        update={"temporal": settings.temporal.model_copy(update={"required_for_readiness": True})}
    )
    async for client in _client(create_app(strict)):
        response = await client.get("/health/ready")
        assert response.status_code == 503
        assert response.json()["checks"]["temporal"]["status"] == "fail"


async def test_postgres_down_makes_ready_503(settings: Settings) -> None:
    container = build_container(settings)
    container.engine.override(providers.Resource(_engine_of_a_missing_database, settings.database.url))
    async for client in _client(create_app(settings, container=container)):
        response = await client.get("/health/ready")
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "fail"
        assert body["checks"]["postgres"]["status"] == "fail"
        assert body["checks"]["postgres"]["error"] == "InvalidCatalogNameError"
        assert body["checks"]["redis"]["status"] == "pass"
        assert (await client.get("/health/live")).status_code == 200


def _settings_with_dead_redis(settings: Settings, *, required: bool) -> Settings:
    cache = settings.cache.model_copy(
        update={"url": "redis://127.0.0.1:1/0", "required_for_readiness": required, "socket_timeout_seconds": 0.2}
    )
    return settings.model_copy(update={"cache": cache})


async def test_redis_down_degrades_readiness_by_default(settings: Settings) -> None:
    degraded = _settings_with_dead_redis(settings, required=False)
    async for client in _client(create_app(degraded)):
        response = await client.get("/health/ready")
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "warn"
        assert body["checks"]["redis"] == {
            "status": "fail",
            "required": False,
            "latency_ms": body["checks"]["redis"]["latency_ms"],
            "error": "ConnectionError",
        }


async def test_redis_down_fails_readiness_when_required(settings: Settings) -> None:
    strict = _settings_with_dead_redis(settings, required=True)
    async for client in _client(create_app(strict)):
        response = await client.get("/health/ready")
        assert response.status_code == 503
        assert response.json()["checks"]["redis"]["status"] == "fail"


async def test_cache_off_checks_postgres_only(settings: Settings) -> None:
    off = settings.model_copy(update={"cache": settings.cache.model_copy(update={"mode": "off"})})
    container: Container = build_container(off)
    async for client in _client(create_app(off, container=container)):
        response = await client.get("/health/ready")
        assert response.status_code == 200
        assert set(response.json()["checks"]) == {"postgres", "temporal"}
    assert not container.redis.initialized


async def test_meta_describes_the_deployment(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/meta")
    assert response.status_code == 200
    assert response.json() == {"service": "keel", "version": "0.1.0", "api_version": "v1", "environment": "test"}
