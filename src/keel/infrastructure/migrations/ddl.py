"""Write the SQL of a migration for the additive changes of a :class:`SchemaDifference`.

Everything comes from the catalogs of the database the models built, so applying the file to the migrations'
database reproduces it: types as ``format_type`` prints them, defaults as ``pg_get_expr``, indexes as
``pg_get_indexdef``, constraints as ``pg_get_constraintdef``. Order: enum types, sequences, tables (a table after the
tables its foreign keys reference; a foreign key closing a cycle is added after all of them), new columns, new
constraints, indexes, sequence ownership (serial columns), comments. The layout is Atlas's: a ``-- comment`` line
then the statement and ``;``.
"""

from __future__ import annotations

from collections.abc import Iterable

from keel.infrastructure.migrations.catalog import (
    Column,
    Constraint,
    EnumType,
    SequenceDefinition,
    Table,
    column_clauses,
)
from keel.infrastructure.migrations.quoting import quote_identifier, quote_literal
from keel.infrastructure.migrations.schema_diff import NewColumn, NewConstraint, NewIndex, SchemaChange

Step = tuple[str, str]  # (comment, statement)


def _qualified(schema: str, name: str) -> str:
    return f"{quote_identifier(schema)}.{quote_identifier(name)}"


def column_definition(column: Column) -> str:
    collation = quote_identifier(column.collation) if column.collation else None
    parts = [quote_identifier(column.name), *column_clauses(column, collation=collation)]
    if column.not_null:
        parts.append("NOT NULL")
    return " ".join(parts)


def _create_enum(enum: EnumType) -> Step:
    labels = ", ".join(quote_literal(label) for label in enum.labels)
    return f'Create enum type "{enum.name}"', f"CREATE TYPE {_qualified(enum.schema, enum.name)} AS ENUM ({labels})"


def _create_sequence(sequence: SequenceDefinition) -> Step:
    return (
        f'Create sequence "{sequence.name}"',
        f"CREATE SEQUENCE {_qualified(sequence.schema, sequence.name)} AS {sequence.data_type} "
        f"INCREMENT BY {sequence.increment} MINVALUE {sequence.minimum} MAXVALUE {sequence.maximum} "
        f"START WITH {sequence.start} CACHE {sequence.cache} {'CYCLE' if sequence.cycle else 'NO CYCLE'}",
    )


def _own_sequence(sequence: SequenceDefinition) -> Step:
    schema, table, column = (sequence.owned_by or "").split(".", 2)
    owner = f"{_qualified(schema, table)}.{quote_identifier(column)}"
    return (
        f'Set the owner of sequence "{sequence.name}"',
        f"ALTER SEQUENCE {_qualified(sequence.schema, sequence.name)} OWNED BY {owner}",
    )


def _create_table(table: Table, constraints: Iterable[Constraint]) -> Step:
    lines = [column_definition(column) for column in table.columns]
    lines += [f"CONSTRAINT {quote_identifier(c.name)} {c.definition}" for c in constraints]
    body = ",\n  ".join(lines)
    partitioning = f" PARTITION BY {table.partition_key}" if table.partition_key else ""
    return (
        f'Create "{table.name}" table',
        f"CREATE TABLE {_qualified(table.schema, table.name)} (\n  {body}\n){partitioning}",
    )


def _add_constraint(table: Table, constraint: Constraint) -> Step:
    return (
        f'Add constraint "{constraint.name}" to table: "{table.name}"',
        f"ALTER TABLE {_qualified(table.schema, table.name)} ADD CONSTRAINT {quote_identifier(constraint.name)} "
        f"{constraint.definition}",
    )


def _add_column(table: Table, column: Column) -> Step:
    comment = f'Add column "{column.name}" to table: "{table.name}"'
    if column.not_null and column.default is None and not column.identity and not column.generated:
        comment += " (NOT NULL without a default: fails while the table has rows)"
    return comment, f"ALTER TABLE {_qualified(table.schema, table.name)} ADD COLUMN {column_definition(column)}"


def _comments(table: Table, columns: Iterable[Column]) -> list[Step]:
    steps: list[Step] = []
    target = _qualified(table.schema, table.name)
    if table.comment:
        steps.append(
            (f'Comment on table "{table.name}"', f"COMMENT ON TABLE {target} IS {quote_literal(table.comment)}")
        )
    for column in columns:
        if column.comment:
            steps.append(
                (
                    f'Comment on column "{table.name}"."{column.name}"',
                    f"COMMENT ON COLUMN {target}.{quote_identifier(column.name)} IS {quote_literal(column.comment)}",
                )
            )
    return steps


def _tables_in_dependency_order(tables: list[Table]) -> tuple[list[Step], list[Step]]:
    """``CREATE TABLE`` steps, referenced tables first, and the foreign keys that must come after all of them."""
    remaining = {table.qualified_name: table for table in tables}
    steps: list[Step] = []
    deferred: list[Step] = []
    while remaining:
        ready = [
            name
            for name, table in sorted(remaining.items())
            if all(c.referenced_table in (None, name) or c.referenced_table not in remaining for c in table.constraints)
        ]
        table = remaining.pop(ready[0] if ready else min(remaining))  # a cycle: break it at the first name
        inline = [c for c in table.constraints if c.referenced_table not in remaining]
        deferred += [_add_constraint(table, c) for c in table.constraints if c not in inline]
        steps.append(_create_table(table, inline))
    return steps, deferred


def migration_sql(changes: Iterable[SchemaChange]) -> str:
    """The migration file for the additive ``changes`` (the others are ignored: the caller refuses them first)."""
    additions = [change.addition for change in changes if change.addition is not None]
    enums = [a for a in additions if isinstance(a, EnumType)]
    sequences = [a for a in additions if isinstance(a, SequenceDefinition)]
    tables = [a for a in additions if isinstance(a, Table)]
    columns = [a for a in additions if isinstance(a, NewColumn)]
    constraints = [a for a in additions if isinstance(a, NewConstraint)]
    indexes = [(table, index) for table in tables for index in table.indexes]
    indexes += [(a.table, a.index) for a in additions if isinstance(a, NewIndex)]

    created_tables, deferred_foreign_keys = _tables_in_dependency_order(tables)
    steps = [_create_enum(enum) for enum in enums]
    steps += [_create_sequence(sequence) for sequence in sequences]
    steps += created_tables
    steps += [_add_column(new.table, new.column) for new in columns]
    steps += [_add_constraint(new.table, new.constraint) for new in constraints]
    steps += deferred_foreign_keys
    steps += [(f'Create index "{index.name}" to table: "{table.name}"', index.definition) for table, index in indexes]
    steps += [_own_sequence(sequence) for sequence in sequences if sequence.owned_by]
    for table in tables:
        steps += _comments(table, table.columns)
    for new in columns:
        steps += _comments(Table(new.table.schema, new.table.name, ()), [new.column])
    return "".join(f"-- {comment}\n{statement};\n" for comment, statement in steps)
