"""Readiness probe of PostgreSQL: one round trip through the application's own pool."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

_PROBE = text("SELECT 1")


class PostgresHealthCheck:
    name = "postgres"
    required = True

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def probe(self) -> None:
        # Autocommit: one round trip, without the BEGIN/ROLLBACK that a transactional connection would add.
        async with self._engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.execute(_PROBE)
