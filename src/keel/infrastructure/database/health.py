"""Readiness probe of PostgreSQL: one round trip through the application's own pool."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine


class PostgresHealthCheck:
    name = "postgres"
    required = True

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def probe(self) -> None:
        async with self._engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
