"""The difference between the schema the models declare and the one the migrations build, readable and typed.

``+`` marks what only the models have (a migration is missing), ``-`` what only the migrations have, ``~`` what both
have differently (shown as ``migrations -> models``). A change is *additive* when ``keel db new`` may write it: a new
enum type, sequence, table (with its columns, constraints and indexes), a new column, a new index, or a new
constraint whose columns are all new. Everything else — removals, changes, constraints over existing columns — must be
written by hand: a rename, for one, shows as a removal plus an addition, and writing only the addition would copy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from enum import StrEnum

from keel.infrastructure.migrations.catalog import (
    Column,
    Constraint,
    EnumType,
    Index,
    SchemaSnapshot,
    SequenceDefinition,
    Table,
    column_clauses,
)
from keel.infrastructure.migrations.quoting import quote_literal


class ChangeKind(StrEnum):
    ADDED = "+"
    REMOVED = "-"
    CHANGED = "~"


@dataclass(frozen=True, slots=True)
class NewColumn:
    table: Table
    column: Column


@dataclass(frozen=True, slots=True)
class NewConstraint:
    table: Table
    constraint: Constraint


@dataclass(frozen=True, slots=True)
class NewIndex:
    table: Table
    index: Index


Addition = EnumType | SequenceDefinition | Table | NewColumn | NewConstraint | NewIndex


@dataclass(frozen=True, slots=True)
class SchemaChange:
    kind: ChangeKind
    subject: str  # e.g. "table public.users", "column public.users.email"
    detail: str = ""
    addition: Addition | None = None  # what `keel db new` creates, for an additive change
    children: tuple[SchemaChange, ...] = ()  # the parts of a new table, for display

    @property
    def additive(self) -> bool:
        return self.addition is not None

    def lines(self, indent: str = "") -> list[str]:
        own = f"{indent}{self.kind} {self.subject}" + (f": {self.detail}" if self.detail else "")
        return [own] + [line for child in self.children for line in child.lines(indent + "    ")]


@dataclass(frozen=True, slots=True)
class SchemaDifference:
    changes: tuple[SchemaChange, ...]

    @property
    def in_sync(self) -> bool:
        return not self.changes

    def lines(self) -> list[str]:
        return [line for change in self.changes for line in change.lines()]

    def by_hand(self) -> list[SchemaChange]:
        return [change for change in self.changes if not change.additive]


def column_text(column: Column) -> str:
    parts = column_clauses(column, collation=column.collation)
    parts.append("NOT NULL" if column.not_null else "NULL")
    if column.comment:
        parts.append(f"COMMENT {quote_literal(column.comment)}")
    return " ".join(parts)


def sequence_text(sequence: SequenceDefinition) -> str:
    text = (
        f"{sequence.data_type} start {sequence.start} increment {sequence.increment} min {sequence.minimum} "
        f"max {sequence.maximum} cache {sequence.cache}{' cycle' if sequence.cycle else ''}"
    )
    return text + (f" owned by {sequence.owned_by}" if sequence.owned_by else "")


def _attribute_changes[T](old: T, new: T) -> str:
    described = []
    for field in fields(old):  # type: ignore[arg-type]
        before, after = getattr(old, field.name), getattr(new, field.name)
        if before == after:
            continue
        if field.name == "not_null":
            described.append(f"{'NOT NULL' if before else 'NULL'} -> {'NOT NULL' if after else 'NULL'}")
        else:
            described.append(f"{field.name.replace('_', ' ')} {_shown(before)} -> {_shown(after)}")
    return "; ".join(described)


def _shown(value: object) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, tuple):
        return "(" + ", ".join(str(item) for item in value) + ")"
    return str(value)


def _compare[T](
    kind: str,
    models: Mapping[str, T],
    migrations: Mapping[str, T],
    describe: Callable[[T], str],
    addition: Callable[[str, T], Addition | None],
) -> list[SchemaChange]:
    changes: list[SchemaChange] = []
    for name in sorted(models.keys() | migrations.keys()):
        wanted, built = models.get(name), migrations.get(name)
        if built is None and wanted is not None:
            changes.append(SchemaChange(ChangeKind.ADDED, f"{kind} {name}", describe(wanted), addition(name, wanted)))
        elif wanted is None and built is not None:
            changes.append(SchemaChange(ChangeKind.REMOVED, f"{kind} {name}", describe(built)))
        elif wanted is not None and built is not None and wanted != built:
            changes.append(SchemaChange(ChangeKind.CHANGED, f"{kind} {name}", _attribute_changes(built, wanted)))
    return changes


def _table_parts(table: Table) -> tuple[SchemaChange, ...]:
    parts = [SchemaChange(ChangeKind.ADDED, f"column {column.name}", column_text(column)) for column in table.columns]
    parts += [SchemaChange(ChangeKind.ADDED, f"constraint {c.name}", c.definition) for c in table.constraints]
    parts += [SchemaChange(ChangeKind.ADDED, f"index {index.name}", index.definition) for index in table.indexes]
    return tuple(parts)


def _compare_tables(models: Mapping[str, Table], migrations: Mapping[str, Table]) -> list[SchemaChange]:
    changes: list[SchemaChange] = []
    for name in sorted(models.keys() | migrations.keys()):
        wanted, built = models.get(name), migrations.get(name)
        if built is None and wanted is not None:
            detail = f"COMMENT {quote_literal(wanted.comment)}" if wanted.comment else ""
            changes.append(SchemaChange(ChangeKind.ADDED, f"table {name}", detail, wanted, _table_parts(wanted)))
        elif wanted is None and built is not None:
            changes.append(SchemaChange(ChangeKind.REMOVED, f"table {name}"))
        elif wanted is not None and built is not None and wanted != built:
            changes += _compare_table(wanted, built)
    return changes


def _compare_table(wanted: Table, built: Table) -> list[SchemaChange]:
    name = wanted.qualified_name
    changes: list[SchemaChange] = []
    details = [
        f"{label} {_shown(before)} -> {_shown(after)}"
        for label, before, after in (
            ("comment", built.comment, wanted.comment),
            ("partition key", built.partition_key, wanted.partition_key),
        )
        if before != after
    ]
    if details:
        changes.append(SchemaChange(ChangeKind.CHANGED, f"table {name}", "; ".join(details)))
    changes += _compare(
        "column",
        {f"{name}.{column.name}": column for column in wanted.columns},
        {f"{name}.{column.name}": column for column in built.columns},
        column_text,
        lambda _, column: NewColumn(wanted, column),
    )
    existing_columns = {column.name for column in built.columns}

    def new_constraint(_: str, constraint: Constraint) -> Addition | None:
        only_new_columns = constraint.columns and not existing_columns.intersection(constraint.columns)
        return NewConstraint(wanted, constraint) if only_new_columns else None

    changes += _compare(
        "constraint",
        {f"{name}.{constraint.name}": constraint for constraint in wanted.constraints},
        {f"{name}.{constraint.name}": constraint for constraint in built.constraints},
        lambda constraint: constraint.definition,
        new_constraint,
    )
    changes += _compare(
        "index",
        {f"{wanted.schema}.{index.name}": index for index in wanted.indexes},
        {f"{built.schema}.{index.name}": index for index in built.indexes},
        lambda index: index.definition,
        lambda _, index: NewIndex(wanted, index),
    )
    return changes


def compare_schemas(models: SchemaSnapshot, migrations: SchemaSnapshot) -> SchemaDifference:
    """What it takes to bring the schema built by the migrations to the one declared by the models."""
    changes = _compare("schema", _named(models.schemas), _named(migrations.schemas), lambda _: "", lambda *_: None)
    changes += _compare(
        "extension", _named(models.extensions), _named(migrations.extensions), lambda _: "", lambda *_: None
    )
    changes += _compare(
        "enum type",
        models.enums,
        migrations.enums,
        lambda enum: "(" + ", ".join(enum.labels) + ")",
        lambda _, enum: enum,
    )
    changes += _compare("sequence", models.sequences, migrations.sequences, sequence_text, lambda _, seq: seq)
    changes += _compare_tables(models.tables, migrations.tables)
    return SchemaDifference(tuple(changes))


def _named(names: tuple[str, ...]) -> dict[str, str]:
    return {name: name for name in names}
