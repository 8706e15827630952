"""Why a migration command stops. Each error carries its problems, one readable line each, ready to print."""

from __future__ import annotations


class MigrationError(Exception):
    """A migration command cannot go on. ``problems`` holds one line per problem; ``str(error)`` joins them."""

    def __init__(self, *problems: str) -> None:
        self.problems: tuple[str, ...] = problems or ("migration error",)
        super().__init__("\n".join(self.problems))


class ChecksumMismatch(MigrationError):
    """``atlas.sum`` is missing, malformed or does not match the migration files (edited, missing or new file)."""


class InvalidMigrationFile(MigrationError):
    """A migration file cannot be read: not UTF-8, unsplittable statements or an invalid ``atlas:`` directive."""


class AppliedMigrationChanged(MigrationError):
    """The database recorded a migration that is no longer on disk as it was applied (edited, removed, reordered)."""


class MigrationFailed(MigrationError):
    """A statement of a migration file failed; the file was rolled back (or, with ``txmode none``, stopped there)."""


class MigrationLockTimeout(MigrationError):
    """Another ``keel db upgrade`` kept the migration lock of the database for too long."""


class DatabaseUnavailable(MigrationError):
    """A database (the target or the server for throwaway databases) cannot be reached or used."""


class ModelsUnreadable(MigrationError):
    """The DDL of the SQLAlchemy models could not be produced or does not apply to an empty database."""


class InvalidMigrationName(MigrationError):
    """``keel db new NAME``: the name is not lowercase letters, digits and underscores."""


class NonAdditiveChanges(MigrationError):
    """``keel db new``: the models differ from the migrations by changes that must be written by hand."""
