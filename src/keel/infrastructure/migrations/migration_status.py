"""``keel db status``: each migration with its state in a database, and whether ``atlas.sum`` is valid."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from keel.infrastructure.migrations.connection import connect
from keel.infrastructure.migrations.directory import MigrationDirectory
from keel.infrastructure.migrations.errors import ChecksumMismatch
from keel.infrastructure.migrations.migration_plan import plan_migrations
from keel.infrastructure.migrations.revisions import Revision, read_revisions


class MigrationState(StrEnum):
    APPLIED = "applied"
    PENDING = "pending"
    PARTIAL = "partially applied"  # a txmode none file that stopped part-way
    MISSING = "applied, file missing"


@dataclass(frozen=True, slots=True)
class MigrationStatusEntry:
    version: str
    name: str
    state: MigrationState
    executed_at: datetime | None = None
    execution_time: timedelta | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class MigrationStatus:
    entries: tuple[MigrationStatusEntry, ...]
    sum_problems: tuple[str, ...]
    history_problems: tuple[str, ...]

    @property
    def sum_valid(self) -> bool:
        return not self.sum_problems

    @property
    def pending(self) -> tuple[MigrationStatusEntry, ...]:
        return tuple(entry for entry in self.entries if entry.state is not MigrationState.APPLIED)


def _entry(version: str, name: str, revision: Revision | None) -> MigrationStatusEntry:
    if revision is None:
        return MigrationStatusEntry(version, name, MigrationState.PENDING)
    state = MigrationState.APPLIED if revision.complete else MigrationState.PARTIAL
    note = "" if revision.complete else f"{revision.applied_statements} of {revision.total_statements} statements"
    if revision.error:
        note = f"{note}; failed: {revision.error}".lstrip("; ")
    return MigrationStatusEntry(version, name, state, revision.executed_at, revision.execution_time, note)


async def read_status(directory: MigrationDirectory, url: str) -> MigrationStatus:
    files = directory.files()
    computed = directory.computed_sum(files)
    try:
        sum_problems = directory.sum_problems(files, computed)
    except ChecksumMismatch as error:
        sum_problems = list(error.problems)
    connection = await connect(url)
    try:
        revisions = await read_revisions(connection)
    finally:
        await connection.close()
    plan = plan_migrations(files, computed, revisions)
    recorded = {revision.version: revision for revision in revisions}
    entries = [_entry(file.version, file.name, recorded.pop(file.version, None)) for file in files]
    entries += [
        MigrationStatusEntry(
            revision.version,
            f"{revision.version}_{revision.description}.sql",
            MigrationState.MISSING,
            revision.executed_at,
            revision.execution_time,
        )
        for revision in recorded.values()
    ]
    entries.sort(key=lambda entry: entry.version)
    return MigrationStatus(tuple(entries), tuple(sum_problems), plan.problems)
