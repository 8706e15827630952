"""Which files a database still needs, and whether its recorded history still matches the directory.

Pure: it compares the migration files and their ``atlas.sum`` hashes with the revisions a database recorded.
Like Atlas's default (linear) execution order, a file older than the last applied one is an error, not pending.
Because every ``atlas.sum`` entry also covers the files before it, only the first applied file whose hash changed is
reported, and none after a file that was removed or added out of order (their hashes change with it).
"""

from __future__ import annotations

from dataclasses import dataclass

from keel.infrastructure.migrations.atlas_sum import HashFile
from keel.infrastructure.migrations.directory import MigrationFile
from keel.infrastructure.migrations.revisions import REVISIONS_TABLE, Revision


@dataclass(frozen=True, slots=True)
class PendingFile:
    """A file to apply; ``resume`` is its revision when an earlier ``txmode none`` run stopped part-way."""

    file: MigrationFile
    hash: str
    resume: Revision | None = None


@dataclass(frozen=True, slots=True)
class MigrationPlan:
    pending: tuple[PendingFile, ...]
    problems: tuple[str, ...]


def plan_migrations(files: list[MigrationFile], sums: HashFile, revisions: list[Revision]) -> MigrationPlan:
    problems = _duplicate_versions(files)
    by_version = {file.version: file for file in files}
    recorded = {revision.version: revision for revision in revisions}
    last_applied = max(recorded, default="")

    missing = [revision for revision in revisions if revision.version not in by_version]
    problems += [
        f"{revision.version}_{revision.description}.sql: applied (recorded in {REVISIONS_TABLE}) but no longer in "
        "the migration directory"
        for revision in missing
    ]
    out_of_order = [file for file in files if file.version not in recorded and file.version < last_applied]
    problems += [
        f"{file.name}: older than the last applied migration {last_applied} (added out of order): "
        "give it a newer version"
        for file in out_of_order
    ]
    cutoff = min([revision.version for revision in missing] + [file.version for file in out_of_order], default=None)
    for applied in revisions:
        if cutoff is not None and applied.version > cutoff:
            break
        file = by_version.get(applied.version)
        if file is not None and applied.complete and sums.hash_of(file.name) != applied.hash:
            problems.append(
                f"{file.name}: changed since it was applied (its atlas.sum hash differs from the one recorded in "
                f"{REVISIONS_TABLE}); write a new migration instead"
            )
            break

    pending: list[PendingFile] = []
    for file in files:
        revision = recorded.get(file.version)
        if revision is not None and revision.complete:
            continue
        if revision is None and file.version < last_applied:
            continue  # reported as out of order
        file_hash = sums.hash_of(file.name)
        if file_hash is None:
            problems.append(f"{file.name}: has no atlas.sum entry (atlas:sum ignore), so it cannot be applied")
            continue
        pending.append(PendingFile(file, file_hash, resume=revision))
    return MigrationPlan(tuple(pending), tuple(problems))


def _duplicate_versions(files: list[MigrationFile]) -> list[str]:
    seen: dict[str, str] = {}
    problems: list[str] = []
    for file in files:
        if file.version in seen:
            problems.append(f"{file.name}: same version as {seen[file.version]}")
        seen.setdefault(file.version, file.name)
    return problems
