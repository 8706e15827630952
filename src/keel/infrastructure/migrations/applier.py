"""Apply pending migration files to a database, as ``atlas migrate apply`` would, without the Atlas CLI.

* ``atlas.sum`` must match the files, and the recorded history the directory, before anything runs.
* One upgrade at a time per database: a PostgreSQL advisory lock (session level) is held for the whole run; a second
  upgrade waits for it, then finds nothing left to do.
* Each file runs statement by statement (split as Atlas splits it, each through the simple-query protocol) in its own
  transaction together with its ``keel_schema_revisions`` row, so a failing file leaves no trace. A file with the
  ``-- atlas:txmode none`` directive runs without a transaction (``CREATE INDEX CONCURRENTLY``...); its progress is
  recorded after each statement and the next upgrade resumes after the last one that succeeded.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from keel.infrastructure.database.engine import safe_url
from keel.infrastructure.migrations.connection import PostgresConnection, PostgresError, connect
from keel.infrastructure.migrations.directory import MigrationDirectory, MigrationFile, TxMode
from keel.infrastructure.migrations.errors import (
    AppliedMigrationChanged,
    MigrationError,
    MigrationFailed,
    MigrationLockTimeout,
)
from keel.infrastructure.migrations.migration_plan import PendingFile, plan_migrations
from keel.infrastructure.migrations.revisions import (
    REVISIONS_TABLE,
    Revision,
    ensure_revisions_table,
    read_revisions,
    statement_hashes,
    write_revision,
)
from keel.infrastructure.migrations.statements import Statement

MIGRATION_LOCK_KEY = int.from_bytes(hashlib.sha256(REVISIONS_TABLE.encode()).digest()[:8], "big", signed=True)
_LOCK_POLL_SECONDS = 0.1
_SHOWN_STATEMENT_CHARACTERS = 120


@dataclass(frozen=True, slots=True)
class AppliedMigration:
    name: str
    version: str
    description: str
    statements: int
    execution_time: timedelta


@asynccontextmanager
async def migration_lock(connection: PostgresConnection, url: str, timeout_seconds: float) -> AsyncIterator[None]:
    """Hold the database's migration lock; it goes with the session, so closing the connection releases it."""
    deadline = time.monotonic() + timeout_seconds
    while not await connection.fetchval("SELECT pg_try_advisory_lock($1)", MIGRATION_LOCK_KEY):
        if time.monotonic() >= deadline:
            raise MigrationLockTimeout(
                f"another `keel db upgrade` has held the migration lock of {safe_url(url)} for over "
                f"{timeout_seconds:g} s; try again when it is done"
            )
        await asyncio.sleep(_LOCK_POLL_SECONDS)
    yield


class MigrationApplier:
    def __init__(self, directory: MigrationDirectory, *, lock_timeout_seconds: float = 300.0) -> None:
        self._directory = directory
        self._lock_timeout_seconds = lock_timeout_seconds

    async def upgrade(self, url: str) -> list[AppliedMigration]:
        """Apply every pending file in version order; the files applied (none when up to date)."""
        files = self._directory.files()
        sums = self._directory.verified_sum(files)
        connection = await connect(url)
        try:
            async with migration_lock(connection, url, self._lock_timeout_seconds):
                await ensure_revisions_table(connection)
                plan = plan_migrations(files, sums, await read_revisions(connection))
                if plan.problems:
                    raise AppliedMigrationChanged(*plan.problems)
                prepared = [(pending, pending.file.txmode, pending.file.statements()) for pending in plan.pending]
                applied: list[AppliedMigration] = []
                for pending, txmode, statements in prepared:
                    apply = _apply_in_transaction if txmode is TxMode.FILE else _apply_statement_by_statement
                    try:
                        applied.append(await apply(connection, pending, statements))
                    except MigrationError as error:
                        if not applied:
                            raise
                        names = ", ".join(migration.name for migration in applied)
                        raise type(error)(*error.problems, f"  applied before it: {names}") from None
                return applied
        finally:
            await connection.close()


def _new_revision(pending: PendingFile, statements: list[Statement]) -> Revision:
    return Revision(
        version=pending.file.version,
        description=pending.file.description,
        hash=pending.hash,
        applied_statements=0,
        total_statements=len(statements),
        executed_at=datetime.now(UTC),
        execution_time=timedelta(0),
    )


def _elapsed(started: float) -> timedelta:
    return timedelta(seconds=time.perf_counter() - started)


def _applied(pending: PendingFile, statements: list[Statement], elapsed: timedelta) -> AppliedMigration:
    file = pending.file
    return AppliedMigration(file.name, file.version, file.description, len(statements), elapsed)


async def _apply_in_transaction(
    connection: PostgresConnection, pending: PendingFile, statements: list[Statement]
) -> AppliedMigration:
    started = time.perf_counter()
    revision = _new_revision(pending, statements)
    async with connection.transaction():
        for index, statement in enumerate(statements):
            try:
                await _run(connection, statement)
            except PostgresError as error:
                raise _failure(pending.file, statements, index, error, "the file was rolled back") from None
        elapsed = _elapsed(started)
        await write_revision(connection, replace(revision, applied_statements=len(statements), execution_time=elapsed))
    return _applied(pending, statements, elapsed)


async def _apply_statement_by_statement(
    connection: PostgresConnection, pending: PendingFile, statements: list[Statement]
) -> AppliedMigration:
    started = time.perf_counter()
    hashes = statement_hashes([statement.text for statement in statements])
    revision = pending.resume or _new_revision(pending, statements)
    done = revision.applied_statements
    if hashes[:done] != revision.partial_hashes[:done] or len(revision.partial_hashes) < done:
        raise AppliedMigrationChanged(
            f"{pending.file.name}: its first {done} statement(s) ran in an earlier upgrade (txmode none) but have "
            "changed since; restore them"
        )
    revision = replace(revision, hash=pending.hash, total_statements=len(statements))
    await write_revision(connection, revision)
    for index in range(done, len(statements)):
        try:
            await _run(connection, statements[index])
        except PostgresError as error:
            kept = {0: "nothing was applied", 1: "statement 1 stays applied"}.get(
                index, f"statements 1-{index} stay applied"
            )
            note = f"txmode none: {kept}; `keel db upgrade` resumes at statement {index + 1}"
            await write_revision(
                connection,
                replace(
                    revision,
                    error=_first_line(str(error)),
                    error_statement=statements[index].text,
                    execution_time=_elapsed(started),
                ),
            )
            raise _failure(pending.file, statements, index, error, note) from None
        revision = replace(
            revision, applied_statements=index + 1, partial_hashes=hashes[: index + 1], error=None, error_statement=None
        )
        await write_revision(connection, revision)
    elapsed = _elapsed(started)
    await write_revision(connection, replace(revision, partial_hashes=(), execution_time=elapsed))
    return _applied(pending, statements, elapsed)


async def _run(connection: PostgresConnection, statement: Statement) -> None:
    if not statement.empty:  # PostgreSQL would answer an empty query, which asyncpg cannot read
        await connection.execute(statement.text)


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def _failure(
    file: MigrationFile, statements: list[Statement], index: int, error: Exception, outcome: str
) -> MigrationFailed:
    statement = statements[index]
    offset = statement.offset
    position = getattr(error, "position", None)
    if isinstance(position, str) and position.isdigit():
        offset += int(position) - 1
    text = file.text
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    reason = _first_line(str(error)) or type(error).__name__
    detail = getattr(error, "detail", None)
    if detail:
        reason += f" ({detail})"
    shown = _first_line(statement.text)
    if len(shown) > _SHOWN_STATEMENT_CHARACTERS or "\n" in statement.text.strip():
        shown = shown[:_SHOWN_STATEMENT_CHARACTERS] + " ..."
    return MigrationFailed(
        f"{file.name}:{line}:{column}: statement {index + 1} of {len(statements)} failed ({outcome}): {reason}",
        f"  {shown}",
    )
