"""``TableStatistics``: refresh PostgreSQL's statistics of a table that a bulk load is growing (``ANALYZE``).

The planner chooses its plans from the table's statistics, which autovacuum refreshes at most once a minute and only
after a tenth of the table changed. During a large import into a new or small table they are far behind: the planner
believes the tenant has a handful of users, scans its whole part of the table to check each chunk's emails and
usernames, and a 100,000-row import slows to seconds per chunk as the table grows (1.2 s per check at 50,000 users,
against a few milliseconds with current statistics; measured on PostgreSQL 15). Refreshing them now and then while
the table grows — ``ANALYZE`` samples at most 30,000 rows, whatever the size — keeps every check on the unique indexes.

A refresh that fails (the database role may not own the table) is logged and skipped: it only makes the import slower.
"""

from __future__ import annotations

from typing import Final

import structlog
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

logger = structlog.get_logger(__name__)

_ANALYZE_USERS: Final = text("ANALYZE users")


class TableStatistics:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def refresh_users(self) -> bool:
        """``ANALYZE users``; whether it ran."""
        try:
            async with self._engine.connect() as connection:
                await connection.execute(_ANALYZE_USERS)
                await connection.commit()
        except DBAPIError as error:
            logger.warning("db.analyze_failed", table="users", error=str(error.orig or error))
            return False
        return True


def refreshes_statistics_after(chunk_index: int) -> bool:
    """After chunks 0, 1, 3, 7, 15, …: each time the rows an import added have doubled, so the statistics are never
    more than half behind, for a handful of refreshes per import."""
    return chunk_index & (chunk_index + 1) == 0
