"""A throwaway PostgreSQL database for one benchmark run, created on entry and dropped on exit."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import asyncpg
from sqlalchemy.engine import URL, make_url


@dataclass(frozen=True, slots=True)
class ScratchDatabase:
    name: str
    url: URL

    @property
    def sqlalchemy_url(self) -> str:
        """For keel (``KEEL_DATABASE__URL``): the asyncpg dialect of SQLAlchemy."""
        return self.url.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)

    @property
    def asyncpg_dsn(self) -> str:
        """For the floor app: a plain libpq-style DSN."""
        return self.url.set(drivername="postgresql").render_as_string(hide_password=False)

    def sessions(self) -> int:
        """Connections ever opened to this database (``pg_stat_database.sessions``), this probe's own excluded.

        The figure lags by up to a second or so (backends report their statistics in batches) and counts each probe in
        the next reading: subtract one per probe between two readings.
        """

        async def read() -> int:
            connection = await asyncpg.connect(self.asyncpg_dsn, timeout=10)
            try:
                query = "SELECT sessions FROM pg_stat_database WHERE datname = current_database()"
                return int(await connection.fetchval(query))
            finally:
                await connection.close()

        return asyncio.run(read())


def _admin_dsn(server_url: str) -> str:
    return make_url(server_url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _execute(server_url: str, statement: str) -> None:
    connection = await asyncpg.connect(_admin_dsn(server_url), timeout=10)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@contextmanager
def scratch_database(server_url: str) -> Iterator[ScratchDatabase]:
    """``server_url`` names any database of the server (``postgres`` usually); a ``keel_bench_<hex>`` one is made."""
    name = f"keel_bench_{secrets.token_hex(4)}"
    try:
        asyncio.run(_execute(server_url, f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError) as error:
        where = make_url(server_url).render_as_string(hide_password=True)
        raise RuntimeError(f"cannot create a scratch database on {where}: {type(error).__name__}: {error}") from error
    try:
        yield ScratchDatabase(name=name, url=make_url(server_url).set(database=name))
    finally:
        asyncio.run(_execute(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
