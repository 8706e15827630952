"""Migration files as Atlas reads them: version and description, directives, ``atlas.sum`` mismatch reports."""

from __future__ import annotations

import pytest

from keel.infrastructure.migrations.atlas_sum import HashFile
from keel.infrastructure.migrations.directives import detached_directive, directive, file_directives
from keel.infrastructure.migrations.directory import MigrationFile, TxMode, sum_problems
from keel.infrastructure.migrations.errors import InvalidMigrationFile


def migration(name: str, text: str) -> MigrationFile:
    return MigrationFile(name, text.encode())


def test_version_and_description_come_from_the_name() -> None:
    file = migration("20260101120000_add_users_table.sql", "")
    assert (file.version, file.description) == ("20260101120000", "add_users_table")
    assert (migration("3.sql", "").version, migration("3.sql", "").description) == ("3", "")


@pytest.mark.parametrize(
    ("content", "name", "prefix", "expected"),
    [
        ("-- atlas:sum ignore\nSELECT 1;", "sum", None, "ignore"),
        ("atlas:sum ignore", "sum", "", "ignore"),
        ("-- atlas:sum\n", "sum", None, ""),
        ("SELECT 1;\n-- atlas:sum ignore", "sum", None, None),
        ("-- atlas:summary x", "sum", None, None),
        ("-- atlas:delimiter \\n\\n", "delimiter", "-- ", "\\n\\n"),
        ("--atlas:delimiter $$", "delimiter", "-- ", None),
    ],
)
def test_directive_is_read_on_the_first_line(content: str, name: str, prefix: str | None, expected: str | None) -> None:
    assert directive(content, name, prefix) == expected


def test_file_directives_need_a_blank_line_before_the_statements() -> None:
    separated = "-- atlas:txmode none\n-- a note\n\nCREATE INDEX CONCURRENTLY i ON t (c);\n"
    attached = "-- atlas:txmode none\nCREATE INDEX CONCURRENTLY i ON t (c);\n"

    assert file_directives(separated, "txmode") == ["none"]
    assert file_directives(attached, "txmode") == []
    assert detached_directive(attached, "txmode")
    assert not detached_directive(separated, "txmode")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("CREATE TABLE t (id int);\n", TxMode.FILE),
        ("-- atlas:txmode file\n\nCREATE TABLE t (id int);\n", TxMode.FILE),
        ("-- atlas:txmode none\n\nCREATE INDEX CONCURRENTLY i ON t (id);\n", TxMode.NONE),
    ],
)
def test_txmode(content: str, expected: TxMode) -> None:
    assert migration("1_x.sql", content).txmode is expected


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("-- atlas:txmode all\n\nSELECT 1;\n", "unknown atlas:txmode 'all'"),
        ("-- atlas:txmode none\n-- atlas:txmode file\n\nSELECT 1;\n", "several atlas:txmode"),
        ("-- atlas:txmode none\nSELECT 1;\n", "must be followed by a blank line"),
    ],
)
def test_invalid_txmode_is_refused_with_the_file_name(content: str, message: str) -> None:
    with pytest.raises(InvalidMigrationFile, match=message) as raised:
        _ = migration("7_bad.sql", content).txmode
    assert raised.value.problems[0].startswith("7_bad.sql: ")


def test_a_file_that_is_not_utf8_is_refused() -> None:
    with pytest.raises(InvalidMigrationFile, match=r"1_latin1\.sql: not UTF-8"):
        _ = MigrationFile("1_latin1.sql", "SELECT 'café';".encode("latin-1")).text


def test_unsplittable_statements_name_the_file_line_and_column() -> None:
    with pytest.raises(InvalidMigrationFile, match=r"^2_quote\.sql:2:23: unclosed quote"):
        migration("2_quote.sql", "SELECT 1;\nINSERT INTO t VALUES ('oops);\n").statements()


A = ("1_a.sql", b"CREATE TABLE a (id int);\n")
B = ("2_b.sql", b"CREATE TABLE b (id int);\n")
C = ("3_c.sql", b"CREATE TABLE c (id int);\n")


def problems(on_disk: list[tuple[str, bytes]], recorded: list[tuple[str, bytes]] | None) -> list[str]:
    return sum_problems(
        HashFile.of_files(on_disk), None if recorded is None else HashFile.of_files(recorded), where="migrations"
    )


def test_matching_sum_has_no_problems() -> None:
    assert problems([A, B], [A, B]) == []
    assert problems([], None) == []


def test_missing_sum_is_a_problem_once_there_are_files() -> None:
    assert problems([A], None) == ["atlas.sum is missing from migrations: run `keel db hash` once the files are right"]


def test_added_and_removed_files_are_each_named() -> None:
    assert problems([A, C], [A, B]) == [
        "2_b.sql: listed in atlas.sum but missing from the directory",
        "3_c.sql: not in atlas.sum (a new or renamed file): review it, then run `keel db hash`",
    ]


def test_the_first_edited_file_is_named() -> None:
    edited_b = (B[0], B[1] + b"-- changed\n")
    assert problems([A, edited_b, C], [A, B, C]) == [
        "2_b.sql: edited since atlas.sum was written (if intended, run `keel db hash`)"
    ]
