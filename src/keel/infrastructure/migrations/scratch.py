"""Throwaway databases (Atlas's "dev database"): created empty for one comparison, always dropped afterwards.

They live on the dev server: ``database.dev_url`` when set (its database, or ``postgres`` when it names none, is the
one connected to for ``CREATE DATABASE``), else the server of ``database.url`` through its ``postgres`` maintenance
database. The role needs the ``CREATEDB`` privilege. Each is named ``keel_scratch_<random>`` and copied from
``template0``, so nothing installed in ``template1`` leaks into the comparison.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from keel.infrastructure.database.engine import safe_url
from keel.infrastructure.migrations.connection import (
    MAINTENANCE_DATABASE,
    PostgresError,
    connect,
    parse_url,
    with_database,
)
from keel.infrastructure.migrations.errors import DatabaseUnavailable
from keel.infrastructure.migrations.quoting import quote_identifier

SCRATCH_PREFIX = "keel_scratch_"


def maintenance_url(database_url: str, dev_url: str | None) -> str:
    """The URL to connect to for creating and dropping throwaway databases."""
    if dev_url:
        return with_database(dev_url, parse_url(dev_url).database or MAINTENANCE_DATABASE)
    return with_database(database_url, MAINTENANCE_DATABASE)


@asynccontextmanager
async def scratch_database(server_url: str) -> AsyncIterator[str]:
    """``async with scratch_database(maintenance_url) as url``: a new empty database, dropped on exit."""
    name = f"{SCRATCH_PREFIX}{secrets.token_hex(6)}"
    admin = await connect(server_url)
    try:
        try:
            await admin.execute(f"CREATE DATABASE {quote_identifier(name)} TEMPLATE template0")
        except PostgresError as error:
            raise DatabaseUnavailable(
                f"cannot create a throwaway database on {safe_url(server_url)}: {error} "
                "(set KEEL_DATABASE__DEV_URL to a server where this role may create databases)"
            ) from None
        try:
            yield with_database(server_url, name)
        finally:
            await admin.execute(f"DROP DATABASE IF EXISTS {quote_identifier(name)} WITH (FORCE)")
    finally:
        await admin.close()
