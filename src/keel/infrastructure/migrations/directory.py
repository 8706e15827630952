"""The migration directory in Atlas's versioned format: ``<version>_<description>.sql`` files and ``atlas.sum``.

Like Atlas's ``LocalDir``: the migration files are the ``*.sql`` files at the top of the directory, in name order; a
file's version is its name up to the first ``_`` (without ``.sql``) and its description the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from keel.infrastructure.migrations.atlas_sum import SUM_FILE_NAME, AtlasSumUnreadable, HashFile
from keel.infrastructure.migrations.directives import detached_directive, file_directives
from keel.infrastructure.migrations.errors import ChecksumMismatch, InvalidMigrationFile
from keel.infrastructure.migrations.statements import Statement, StatementSyntaxError, split_statements

REHASH_HINT = "run `keel db hash` once the files are right"
_SQL_SUFFIX = ".sql"


class TxMode(StrEnum):
    """How a file runs (Atlas's ``atlas:txmode`` file directive): in one transaction, or statement by statement."""

    FILE = "file"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class MigrationFile:
    name: str
    content: bytes

    @property
    def version(self) -> str:
        return self.name.removesuffix(_SQL_SUFFIX).split("_", 1)[0]

    @property
    def description(self) -> str:
        parts = self.name.split("_", 1)
        return parts[1].removesuffix(_SQL_SUFFIX) if len(parts) == 2 else ""

    @property
    def text(self) -> str:
        try:
            return self.content.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InvalidMigrationFile(f"{self.name}: not UTF-8 text ({error.reason} at byte {error.start})") from None

    @property
    def txmode(self) -> TxMode:
        """``atlas:txmode`` as Atlas reads it: one value at most, ``file`` (the default) or ``none``."""
        text = self.text
        values = file_directives(text, "txmode")
        if not values:
            if detached_directive(text, "txmode"):
                raise InvalidMigrationFile(
                    f"{self.name}: the atlas:txmode comment must be followed by a blank line to be a file directive "
                    "(Atlas would ignore it)"
                )
            return TxMode.FILE
        if len(values) > 1:
            raise InvalidMigrationFile(f"{self.name}: several atlas:txmode directives: {', '.join(values)}")
        try:
            return TxMode(values[0])
        except ValueError:
            raise InvalidMigrationFile(
                f"{self.name}: unknown atlas:txmode {values[0]!r} (a file may use `file` or `none`)"
            ) from None

    def statements(self) -> list[Statement]:
        try:
            return split_statements(self.text)
        except StatementSyntaxError as error:
            raise InvalidMigrationFile(f"{self.name}:{error}") from None


class MigrationDirectory:
    """A directory of Atlas versioned migrations on disk."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def sum_path(self) -> Path:
        return self.path / SUM_FILE_NAME

    def files(self) -> list[MigrationFile]:
        if not self.path.is_dir():
            raise ChecksumMismatch(f"{self.path}: the migration directory does not exist")
        names = sorted(entry.name for entry in self.path.iterdir() if entry.name.endswith(_SQL_SUFFIX))
        return [MigrationFile(name, (self.path / name).read_bytes()) for name in names]

    def computed_sum(self, files: list[MigrationFile] | None = None) -> HashFile:
        return HashFile.of_files((file.name, file.content) for file in (self.files() if files is None else files))

    def recorded_sum(self) -> HashFile | None:
        """``atlas.sum`` as written, ``None`` when absent; raises :class:`ChecksumMismatch` when unreadable."""
        if not self.sum_path.exists():
            return None
        try:
            return HashFile.parse(self.sum_path.read_bytes())
        except AtlasSumUnreadable as error:
            raise ChecksumMismatch(f"{SUM_FILE_NAME}: {error}; {REHASH_HINT}") from None

    def verified_sum(self, files: list[MigrationFile]) -> HashFile:
        """The sum of ``files``, once ``atlas.sum`` is found to match them; else :class:`ChecksumMismatch`."""
        computed = self.computed_sum(files)
        problems = self.sum_problems(files, computed)
        if problems:
            raise ChecksumMismatch(*problems)
        return computed

    def sum_problems(self, files: list[MigrationFile], computed: HashFile | None = None) -> list[str]:
        """What makes ``atlas.sum`` disagree with ``files``, one line each; empty when it agrees."""
        try:
            recorded = self.recorded_sum()
        except ChecksumMismatch as error:
            return list(error.problems)
        return sum_problems(computed or self.computed_sum(files), recorded, where=str(self.path))

    def write_sum(self) -> HashFile:
        """Rewrite ``atlas.sum`` from the files (Atlas's ``migrate hash``)."""
        computed = self.computed_sum()
        self.sum_path.write_bytes(computed.marshal())
        return computed

    def add_file(self, name: str, content: str) -> MigrationFile:
        """Write a new migration file and refresh ``atlas.sum``."""
        self.path.mkdir(parents=True, exist_ok=True)
        target = self.path / name
        if target.exists():
            raise InvalidMigrationFile(f"{name}: a migration file of that name already exists")
        target.write_text(content, encoding="utf-8")
        self.write_sum()
        return MigrationFile(name, content.encode("utf-8"))


def sum_problems(computed: HashFile, recorded: HashFile | None, *, where: str) -> list[str]:
    """What makes the ``recorded`` atlas.sum of directory ``where`` disagree with the files' ``computed`` one."""
    if recorded is None:
        if not computed.entries:
            return []  # Atlas too accepts a directory without migration files nor atlas.sum
        return [f"{SUM_FILE_NAME} is missing from {where}: {REHASH_HINT}"]
    if recorded.total == computed.total:
        return []
    return _describe_mismatch(recorded, computed) or [f"{SUM_FILE_NAME} does not match the files: {REHASH_HINT}"]


def _describe_mismatch(recorded: HashFile, computed: HashFile) -> list[str]:
    recorded_names, computed_names = recorded.names(), computed.names()
    problems = [
        f"{name}: listed in {SUM_FILE_NAME} but missing from the directory"
        for name in recorded_names
        if name not in computed_names
    ]
    problems += [
        f"{name}: not in {SUM_FILE_NAME} (a new or renamed file): review it, then run `keel db hash`"
        for name in computed_names
        if name not in recorded_names
    ]
    if problems:
        return problems
    # Same names: each entry chains every file before it, so only the first differing entry can be told apart.
    for entry in computed.entries:
        if recorded.hash_of(entry.name) != entry.hash:
            return [f"{entry.name}: edited since {SUM_FILE_NAME} was written (if intended, run `keel db hash`)"]
    return []
