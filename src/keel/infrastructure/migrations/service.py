"""The migration toolkit behind ``keel db``: one object per target database, built by the container."""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import ClassVar

from keel.infrastructure.migrations.applier import AppliedMigration, MigrationApplier
from keel.infrastructure.migrations.atlas_sum import HashFile
from keel.infrastructure.migrations.connection import connection_failures_reported
from keel.infrastructure.migrations.ddl import migration_sql
from keel.infrastructure.migrations.directory import MigrationDirectory
from keel.infrastructure.migrations.drift import schema_drift
from keel.infrastructure.migrations.errors import InvalidMigrationName, MigrationError, NonAdditiveChanges
from keel.infrastructure.migrations.migration_status import MigrationStatus, read_status
from keel.infrastructure.migrations.schema_diff import SchemaDifference
from keel.infrastructure.migrations.scratch import maintenance_url

MODELS_PACKAGE = "keel.infrastructure.database.models"
MIGRATION_NAME = re.compile(r"[a-z0-9_]+")
_VERSION_FORMAT = "%Y%m%d%H%M%S"


@dataclass(frozen=True, slots=True)
class NewMigration:
    """What ``keel db new`` did: the file written (``None`` when the schema was already in sync)."""

    path: Path | None
    difference: SchemaDifference


def default_models_dir() -> Path:
    """The folder of keel's models package, wherever keel is installed."""
    spec = importlib.util.find_spec(MODELS_PACKAGE)
    assert spec is not None
    assert spec.submodule_search_locations is not None
    return Path(next(iter(spec.submodule_search_locations)))


def next_version(now: datetime, existing: list[str]) -> str:
    """``YYYYMMDDHHMMSS`` of ``now`` (UTC), moved past the newest existing version if the clock is behind it."""
    version = now.astimezone(UTC).strftime(_VERSION_FORMAT)
    latest = max(existing, default="")
    if version > latest:
        return version
    try:
        return (datetime.strptime(latest, _VERSION_FORMAT) + timedelta(seconds=1)).strftime(_VERSION_FORMAT)
    except ValueError:
        raise MigrationError(
            f"the newest migration version {latest!r} is not YYYYMMDDHHMMSS: name the file by hand"
        ) from None


class MigrationService:
    """Apply, inspect, check and write the Atlas versioned migrations of one database.

    ``database_url`` is the SQLAlchemy URL of the target database; ``dev_url`` the server for throwaway databases
    (default: the target's server); ``models_dir`` the package of SQLAlchemy models that declares the schema.
    """

    Error: ClassVar[type[MigrationError]] = MigrationError
    """The base class of every error a method raises; its ``problems`` are the lines to show."""

    def __init__(
        self,
        *,
        database_url: str,
        migrations_dir: Path,
        dev_url: str | None = None,
        models_dir: Path | None = None,
        lock_timeout_seconds: float = 300.0,
    ) -> None:
        self._database_url = database_url
        self._dev_url = dev_url
        self._directory = MigrationDirectory(Path(migrations_dir))
        self._models_dir = models_dir
        self._applier = MigrationApplier(self._directory, lock_timeout_seconds=lock_timeout_seconds)

    @property
    def migrations_dir(self) -> Path:
        return self._directory.path

    async def upgrade(self) -> list[AppliedMigration]:
        """``keel db upgrade``: apply every pending file; the files applied (none when up to date)."""
        with connection_failures_reported():
            return await self._applier.upgrade(self._database_url)

    async def status(self) -> MigrationStatus:
        """``keel db status``: applied and pending migrations, and the problems of the directory."""
        with connection_failures_reported():
            return await read_status(self._directory, self._database_url)

    async def check(self) -> SchemaDifference:
        """``keel db check``: how the schema built by the migrations differs from the models' (empty when in sync)."""
        models_dir = self._models_dir or default_models_dir()
        server_url = maintenance_url(self._database_url, self._dev_url)
        with connection_failures_reported():
            return await schema_drift(self._directory, models_dir, server_url)

    async def new(self, name: str, *, now: datetime | None = None) -> NewMigration:
        """``keel db new NAME``: write the migration that brings the migrations to the models, if it is additive.

        Raises :class:`NonAdditiveChanges`, writing nothing, when any part of the difference must be written by hand.
        """
        if not MIGRATION_NAME.fullmatch(name):
            raise InvalidMigrationName(f"invalid migration name {name!r}: use lowercase letters, digits and _")
        difference = await self.check()
        if difference.in_sync:
            return NewMigration(None, difference)
        by_hand = difference.by_hand()
        if by_hand:
            raise NonAdditiveChanges(
                "these differences must be written by hand (nothing was written):",
                *(line for change in by_hand for line in change.lines("  ")),
                "write them in a new migrations/<YYYYMMDDHHMMSS>_<name>.sql, then run `keel db hash`",
            )
        files = self._directory.files()
        version = next_version(now or datetime.now(UTC), [file.version for file in files])
        written = self._directory.add_file(f"{version}_{name}.sql", migration_sql(difference.changes))
        return NewMigration(self._directory.path / written.name, difference)

    def rehash(self) -> HashFile:
        """``keel db hash``: rewrite ``atlas.sum`` from the files (after a hand-written or edited migration)."""
        return self._directory.write_sum()
