"""The container's real resources against the real services: usable while running, released after."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from keel.container import build_container, running
from keel.settings import Settings

pytestmark = pytest.mark.integration


async def test_engine_and_redis_work_while_running_and_are_released_after(settings: Settings) -> None:
    container = build_container(settings)
    async with running(container):
        engine: AsyncEngine = await container.engine()
        async with engine.connect() as connection:
            assert (await connection.execute(text("SELECT current_database()"))).scalar_one() == engine.url.database
        redis = await container.redis()
        assert await redis.ping() is True
        cache = await container.cache()
        await cache.set("greeting", b"hello", ttl_seconds=30)
        assert await cache.get("greeting") == b"hello"
        assert await redis.get(f"{settings.cache.key_prefix}:greeting") == b"hello"
        await cache.delete("greeting")
        assert await cache.get("greeting") is None
        assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    assert not container.engine.initialized
    assert not container.redis.initialized


async def test_nothing_connects_before_start(settings: Settings) -> None:
    """Building the container and even the app opens no connection: pools connect on first use."""
    from keel.presentation.api.app import create_app

    container = build_container(settings)
    create_app(settings, container=container)
    assert not container.engine.initialized
    assert not container.redis.initialized


async def test_an_unreachable_database_does_not_prevent_start(settings: Settings) -> None:
    """Start-up succeeds while PostgreSQL is down; readiness (not a crash loop) reports it."""
    database = settings.database.model_copy(update={"url": "postgresql+asyncpg://postgres@127.0.0.1:1/keel"})
    container = build_container(settings.model_copy(update={"database": database}))
    async with running(container):
        report = await (await container.check_health())()
    assert not report.ready
    assert report.checks[0].name == "postgres"
    assert report.checks[0].error in {"ConnectionRefusedError", "OSError"}
