"""A snapshot of a database's schema, read from the PostgreSQL catalogs, in the server's own words.

Types come from ``format_type``, defaults and generation expressions from ``pg_get_expr``, indexes from
``pg_get_indexdef`` (partial predicates included) and constraints from ``pg_get_constraintdef`` (primary key, unique,
foreign key, check, exclusion). Two databases of the same server describe equal schemas with equal text, which is what
the drift check compares. Covered: schemas, extensions, enum types, sequences (not the internal ones of identity
columns), tables (not partitions) with their columns, constraints, indexes and comments. Not covered: views,
functions, triggers, domains, composite types, policies and grants. keel's ``keel_schema_revisions`` and objects
that belong to extensions are left out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from keel.infrastructure.migrations.catalog_queries import (
    COLUMNS,
    CONSTRAINTS,
    ENUMS,
    EXTENSIONS,
    INDEXES,
    SCHEMAS,
    SEQUENCES,
    TABLES,
)
from keel.infrastructure.migrations.connection import PostgresConnection, Row
from keel.infrastructure.migrations.revisions import REVISIONS_TABLE

CONSTRAINT_KINDS = {"p": "primary key", "u": "unique", "f": "foreign key", "c": "check", "x": "exclusion"}
_IDENTITY = {"a": "always", "d": "by default"}
_GENERATED = {"s": "stored", "v": "virtual"}


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: str
    not_null: bool
    default: str | None = None
    identity: str | None = None  # "always" | "by default"
    generated: str | None = None  # the expression of a generated column
    generated_kind: str | None = None  # "stored" | "virtual"
    collation: str | None = None  # only when not the type's default
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class Constraint:
    name: str
    kind: str  # a value of CONSTRAINT_KINDS
    definition: str
    columns: tuple[str, ...] = ()
    referenced_table: str | None = None  # "schema.table" of a foreign key


@dataclass(frozen=True, slots=True)
class Index:
    name: str
    definition: str


@dataclass(frozen=True, slots=True)
class Table:
    schema: str
    name: str
    columns: tuple[Column, ...]
    constraints: tuple[Constraint, ...] = ()
    indexes: tuple[Index, ...] = ()
    comment: str | None = None
    partition_key: str | None = None

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True, slots=True)
class EnumType:
    schema: str
    name: str
    labels: tuple[str, ...]

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True, slots=True)
class SequenceDefinition:
    schema: str
    name: str
    data_type: str
    start: int
    increment: int
    minimum: int
    maximum: int
    cache: int
    cycle: bool
    owned_by: str | None = None  # "schema.table.column" of a serial column

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True, slots=True)
class SchemaSnapshot:
    schemas: tuple[str, ...] = ()
    extensions: tuple[str, ...] = ()
    enums: Mapping[str, EnumType] = field(default_factory=dict)
    sequences: Mapping[str, SequenceDefinition] = field(default_factory=dict)
    tables: Mapping[str, Table] = field(default_factory=dict)


def _column(row: Row) -> Column:
    return Column(
        name=row["name"],
        type=row["type"],
        not_null=row["not_null"],
        default=row["default_value"],
        identity=_IDENTITY.get(row["identity"]),
        generated=row["generated"],
        generated_kind=_GENERATED.get(row["generated_kind"]),
        collation=row["collation"],
        comment=row["comment"],
    )


def _constraint(row: Row) -> Constraint:
    return Constraint(
        name=row["name"],
        kind=CONSTRAINT_KINDS[row["kind"]],
        definition=row["definition"],
        columns=tuple(row["columns"] or ()),
        referenced_table=row["referenced_table"],
    )


async def read_snapshot(connection: PostgresConnection) -> SchemaSnapshot:
    """The schema of the connected database."""
    table_rows = await connection.fetch(TABLES, REVISIONS_TABLE)
    oids = [row["oid"] for row in table_rows]
    columns: defaultdict[int, list[Column]] = defaultdict(list)
    for row in await connection.fetch(COLUMNS, oids):
        columns[row["table_oid"]].append(_column(row))
    constraints: defaultdict[int, list[Constraint]] = defaultdict(list)
    for row in await connection.fetch(CONSTRAINTS, oids):
        constraints[row["table_oid"]].append(_constraint(row))
    indexes: defaultdict[int, list[Index]] = defaultdict(list)
    for row in await connection.fetch(INDEXES, oids):
        indexes[row["table_oid"]].append(Index(row["name"], row["definition"]))
    tables = [
        Table(
            schema=row["schema"],
            name=row["name"],
            columns=tuple(columns[row["oid"]]),
            constraints=tuple(constraints[row["oid"]]),
            indexes=tuple(indexes[row["oid"]]),
            comment=row["comment"],
            partition_key=row["partition_key"],
        )
        for row in table_rows
    ]
    enums = [EnumType(row["schema"], row["name"], tuple(row["labels"])) for row in await connection.fetch(ENUMS)]
    sequences = [SequenceDefinition(**dict(row)) for row in await connection.fetch(SEQUENCES)]
    return SchemaSnapshot(
        schemas=tuple(row["name"] for row in await connection.fetch(SCHEMAS)),
        extensions=tuple(row["name"] for row in await connection.fetch(EXTENSIONS)),
        enums={enum.qualified_name: enum for enum in enums},
        sequences={sequence.qualified_name: sequence for sequence in sequences},
        tables={table.qualified_name: table for table in tables},
    )


def column_clauses(column: Column, *, collation: str | None) -> list[str]:
    """The type, collation and generation/identity/default clauses of a column, in DDL order.

    Shared by the DDL ``keel db new`` writes and the text a difference is shown in; ``collation`` is passed as the
    caller wants it rendered (quoted for DDL, plain for reading).
    """
    clauses = [column.type]
    if collation:
        clauses.append(f"COLLATE {collation}")
    if column.generated:
        clauses.append(f"GENERATED ALWAYS AS ({column.generated}) {(column.generated_kind or 'stored').upper()}")
    elif column.identity:
        clauses.append(f"GENERATED {column.identity.upper()} AS IDENTITY")
    elif column.default is not None:
        clauses.append(f"DEFAULT {column.default}")
    return clauses
