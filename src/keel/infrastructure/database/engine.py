"""The SQLAlchemy async engine and session factory, as container resources (created on start, disposed on stop)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import structlog
from sqlalchemy import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from keel.settings import DatabaseSettings

logger = structlog.get_logger(__name__)


def build_engine(settings: DatabaseSettings, *, application_name: str = "keel") -> AsyncEngine:
    connect_args: dict[str, object] = {
        "timeout": settings.connect_timeout_seconds,
        "server_settings": {"application_name": application_name},
    }
    if settings.statement_timeout_ms:
        server_settings = connect_args["server_settings"]
        assert isinstance(server_settings, dict)
        server_settings["statement_timeout"] = str(settings.statement_timeout_ms)
    return create_async_engine(
        settings.url,
        pool_size=settings.pool_size,
        max_overflow=settings.max_overflow,
        pool_timeout=settings.pool_timeout_seconds,
        pool_pre_ping=settings.pool_pre_ping,
        pool_recycle=1800,
        echo=settings.echo,
        connect_args=connect_args,
    )


async def engine_resource(settings: DatabaseSettings, application_name: str) -> AsyncIterator[AsyncEngine]:
    """Create the engine (it connects lazily, on first use) and dispose of its pool on shutdown."""
    engine = build_engine(settings, application_name=application_name)
    logger.info("database.engine.started", url=safe_url(settings.url))
    try:
        yield engine
    finally:
        await engine.dispose()
        logger.info("database.engine.stopped")


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def safe_url(url: str | URL) -> str:
    """The URL with its password hidden, fit for logs."""
    return make_url(url).render_as_string(hide_password=True)
