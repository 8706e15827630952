"""``keel_schema_revisions``: what keel applied to a database, one row per migration file.

The columns follow Atlas's own revisions table (``atlas_schema_revisions``) so the history reads the same: the file's
``atlas.sum`` hash when it was applied, how many of its statements ran (less than the total only for an interrupted
``txmode none`` file, with the cumulative hashes of the statements that ran, to resume safely), when and how long.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from keel.infrastructure.migrations.connection import PostgresConnection, Row

REVISIONS_TABLE = "keel_schema_revisions"

_CREATE_TABLE = f"""
CREATE TABLE IF NOT EXISTS {REVISIONS_TABLE} (
    version text PRIMARY KEY,
    description text NOT NULL,
    hash text NOT NULL,
    applied_statements integer NOT NULL,
    total_statements integer NOT NULL,
    executed_at timestamptz NOT NULL,
    execution_time interval NOT NULL,
    error text,
    error_statement text,
    partial_hashes text[]
)
"""
_COLUMNS = (
    "version, description, hash, applied_statements, total_statements, executed_at, execution_time, error, "
    "error_statement, partial_hashes"
)
_UPSERT = f"""
INSERT INTO {REVISIONS_TABLE} ({_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (version) DO UPDATE SET
    description = excluded.description, hash = excluded.hash, applied_statements = excluded.applied_statements,
    total_statements = excluded.total_statements, executed_at = excluded.executed_at,
    execution_time = excluded.execution_time, error = excluded.error, error_statement = excluded.error_statement,
    partial_hashes = excluded.partial_hashes
"""  # noqa: S608 - only constants are interpolated


@dataclass(frozen=True, slots=True)
class Revision:
    version: str
    description: str
    hash: str
    applied_statements: int
    total_statements: int
    executed_at: datetime
    execution_time: timedelta
    error: str | None = None
    error_statement: str | None = None
    partial_hashes: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return self.applied_statements == self.total_statements

    @classmethod
    def from_row(cls, row: Row) -> Revision:
        return cls(
            version=row["version"],
            description=row["description"],
            hash=row["hash"],
            applied_statements=row["applied_statements"],
            total_statements=row["total_statements"],
            executed_at=row["executed_at"],
            execution_time=row["execution_time"],
            error=row["error"],
            error_statement=row["error_statement"],
            partial_hashes=tuple(row["partial_hashes"] or ()),
        )


def statement_hashes(texts: Sequence[str]) -> tuple[str, ...]:
    """Atlas's per-statement hashes: ``h1:`` + base64(SHA-256 of this statement's text and all before it)."""
    running = hashlib.sha256()
    hashes: list[str] = []
    for text in texts:
        running.update(text.encode("utf-8"))
        hashes.append("h1:" + base64.standard_b64encode(running.digest()).decode("ascii"))
    return tuple(hashes)


async def revisions_table_exists(connection: PostgresConnection) -> bool:
    return bool(await connection.fetchval("SELECT to_regclass($1) IS NOT NULL", REVISIONS_TABLE))


async def ensure_revisions_table(connection: PostgresConnection) -> None:
    await connection.execute(_CREATE_TABLE)


async def read_revisions(connection: PostgresConnection) -> list[Revision]:
    """Every recorded revision in version order; none when the table does not exist yet."""
    if not await revisions_table_exists(connection):
        return []
    rows = await connection.fetch(f"SELECT {_COLUMNS} FROM {REVISIONS_TABLE} ORDER BY version")  # noqa: S608
    return [Revision.from_row(row) for row in rows]


async def write_revision(connection: PostgresConnection, revision: Revision) -> None:
    await connection.execute(
        _UPSERT,
        revision.version,
        revision.description,
        revision.hash,
        revision.applied_statements,
        revision.total_statements,
        revision.executed_at,
        revision.execution_time,
        revision.error,
        revision.error_statement,
        list(revision.partial_hashes) or None,
    )
