"""The SQLAlchemy async engine and session factory, as container resources (created on start, disposed on stop)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import structlog
from sqlalchemy import URL, Executable, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session

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


class ReadOnlyWriteAttempted(RuntimeError):
    """A statement other than a plain SELECT went through a read-only session."""


class ReadOnlySession(Session):
    """A session that runs SELECTs only: anything else (an INSERT, an UPDATE, a flush of pending objects) raises
    ``ReadOnlyWriteAttempted`` before it reaches PostgreSQL. (A locking ``SELECT ... FOR UPDATE`` would run, and hold
    its locks for that statement only: in autocommit mode there is no transaction to keep them in.)"""

    def execute(self, statement: Executable, *args: Any, **kwargs: Any) -> Any:
        if not getattr(statement, "is_select", False):
            raise ReadOnlyWriteAttempted(f"a read-only session runs plain SELECTs, not {type(statement).__name__}")
        return super().execute(statement, *args, **kwargs)

    def flush(self, objects: Any = None) -> None:
        if self.new or self.dirty or self.deleted:
            raise ReadOnlyWriteAttempted("a read-only session has nothing to flush")
        super().flush(objects)


def read_only_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for reads that need no transaction: on the engine's pool, in autocommit mode, so a read is one round
    trip (no ``BEGIN``/``ROLLBACK``) and every statement sees what was committed before it started."""
    return async_sessionmaker(
        engine.execution_options(isolation_level="AUTOCOMMIT"),
        sync_session_class=ReadOnlySession,
        expire_on_commit=False,
        autoflush=False,
    )


def safe_url(url: str | URL) -> str:
    """The URL with its password hidden, fit for logs."""
    return make_url(url).render_as_string(hide_password=True)
