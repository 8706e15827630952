"""Plain asyncpg connections for migrations, from keel's SQLAlchemy URLs.

Migrations use asyncpg directly rather than the application's SQLAlchemy engine: a statement without parameters goes
through PostgreSQL's simple-query protocol, which runs any DDL (even several statements) as written.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, contextmanager
from typing import Any, Protocol

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from keel.infrastructure.database.engine import safe_url
from keel.infrastructure.migrations.errors import DatabaseUnavailable

PostgresError: type[Exception] = asyncpg.PostgresError
"""Any error PostgreSQL reported (``sqlstate``, ``position`` and ``detail`` attributes when known)."""

Row = Mapping[str, Any]

# Options of SQLAlchemy's asyncpg dialect that asyncpg itself would send to the server as settings.
_DIALECT_ONLY_OPTIONS = frozenset({"prepared_statement_cache_size", "prepared_statement_name_func", "async_fallback"})
MAINTENANCE_DATABASE = "postgres"


class PostgresConnection(Protocol):
    """The part of ``asyncpg.Connection`` migrations use."""

    async def execute(self, query: str, *args: object) -> str: ...

    async def fetch(self, query: str, *args: object) -> Sequence[Row]: ...

    async def fetchrow(self, query: str, *args: object) -> Row | None: ...

    async def fetchval(self, query: str, *args: object) -> Any: ...

    def transaction(self) -> AbstractAsyncContextManager[object]: ...

    async def close(self) -> None: ...


def parse_url(url: str) -> URL:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseUnavailable(f"not a database URL: {url!r}") from None
    if parsed.get_backend_name() != "postgresql":
        raise DatabaseUnavailable(f"not a PostgreSQL URL: {safe_url(parsed)}")
    return parsed


def with_database(url: str, database: str) -> str:
    """The same server and credentials, another database."""
    return parse_url(url).set(database=database).render_as_string(hide_password=False)


def asyncpg_dsn(url: str) -> str:
    """A SQLAlchemy URL (``postgresql+asyncpg://...``) as an asyncpg DSN (``postgresql://...``)."""
    parsed = parse_url(url)
    query = {key: value for key, value in parsed.query.items() if key not in _DIALECT_ONLY_OPTIONS}
    return parsed.set(drivername="postgresql", query=query).render_as_string(hide_password=False)


async def connect(url: str, *, connect_timeout_seconds: float = 10.0) -> PostgresConnection:
    """Connect to ``url``; :class:`DatabaseUnavailable` with a one-line reason when that fails."""
    dsn = asyncpg_dsn(url)
    try:
        connection: PostgresConnection = await asyncpg.connect(dsn, timeout=connect_timeout_seconds)
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise DatabaseUnavailable(f"cannot connect to {safe_url(url)}: {reason}") from None
    return connection


@contextmanager
def connection_failures_reported() -> Iterator[None]:
    """Turn a connection lost mid-way (or a driver failure) into :class:`DatabaseUnavailable`, one line."""
    try:
        yield
    except (asyncpg.InterfaceError, ConnectionError, TimeoutError) as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise DatabaseUnavailable(f"lost the connection to PostgreSQL: {reason}") from None
