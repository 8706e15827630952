"""Statements split the way Atlas's PostgreSQL scanner splits them (cases from Atlas's own lexer test data)."""

from __future__ import annotations

import pytest

from keel.infrastructure.migrations.statements import StatementSyntaxError, split_statements


def texts(content: str) -> list[str]:
    return [statement.text for statement in split_statements(content)]


def test_statements_end_at_semicolons_outside_parentheses_and_quotes() -> None:
    content = (
        "CREATE TABLE t (a int, b text DEFAULT 'x;y', \"odd;name\" int);\n"
        "INSERT INTO t VALUES (1, 'it''s; fine', 2);\n"
        "SELECT 1"
    )
    assert texts(content) == [
        "CREATE TABLE t (a int, b text DEFAULT 'x;y', \"odd;name\" int);",
        "INSERT INTO t VALUES (1, 'it''s; fine', 2);",
        "SELECT 1",
    ]


def test_leading_comments_are_dropped_and_inner_comments_kept() -> None:
    content = "-- create t\n/* block\n comment */\nCREATE TABLE t (\n  id int -- the key; really\n);\n"
    assert texts(content) == ["CREATE TABLE t (\n  id int -- the key; really\n);"]


def test_dollar_quoted_bodies_are_one_statement() -> None:
    content = (
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$select 1;$$;\n"
        "DO $body$ BEGIN PERFORM 1; END; $body$;\n"
        "SELECT $1;\n"
    )
    assert texts(content) == [
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$select 1;$$;",
        "DO $body$ BEGIN PERFORM 1; END; $body$;",
        "SELECT $1;",
    ]


def test_escape_strings_honour_backslashes() -> None:
    assert texts("SELECT E'it\\'s; one';\nSELECT 2;") == ["SELECT E'it\\'s; one';", "SELECT 2;"]


def test_begin_atomic_bodies_are_one_statement() -> None:
    content = (
        "CREATE FUNCTION f(x int) RETURNS boolean LANGUAGE SQL\n"
        "BEGIN ATOMIC\n"
        "SELECT x > 1;\n"
        "SELECT true;\n"
        "END;\n"
        "CREATE TABLE t (begin int, end int);\n"
    )
    assert texts(content) == [
        "CREATE FUNCTION f(x int) RETURNS boolean LANGUAGE SQL\nBEGIN ATOMIC\nSELECT x > 1;\nSELECT true;\nEND;",
        "CREATE TABLE t (begin int, end int);",
    ]


def test_delimiter_directive() -> None:
    content = "-- atlas:delimiter \\n\\n\nSELECT 1;\nSELECT 2;\n\nSELECT 3;\n"
    assert texts(content) == ["SELECT 1;\nSELECT 2;", "SELECT 3;"]


def test_positions_point_at_each_statement_in_the_file() -> None:
    content = "-- atlas:txmode none\n\nCREATE INDEX CONCURRENTLY a ON t (x);\n\n  CREATE INDEX b ON t (y);\n"
    statements = split_statements(content)
    assert [(s.line, content[s.offset : s.offset + 12]) for s in statements] == [
        (3, "CREATE INDEX"),
        (5, "CREATE INDEX"),
    ]


def test_only_comments_and_space_give_no_statement() -> None:
    assert texts("-- nothing yet\n\n") == []
    assert texts("") == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("SELECT 1;\nSELECT 'open;\n", "2:8: unclosed quote"),
        ("CREATE TABLE t (id int;\n", "1:16: unclosed '('"),
        ("SELECT 1);", "1:9: unexpected ')'"),
    ],
)
def test_unsplittable_text_is_reported_with_line_and_column(content: str, message: str) -> None:
    with pytest.raises(StatementSyntaxError) as raised:
        split_statements(content)
    assert str(raised.value).startswith(message)


def test_a_last_comment_without_newline_is_a_statement_with_nothing_to_run() -> None:
    statements = split_statements("SELECT 1;\n-- the end")
    assert [(s.text, s.empty) for s in statements] == [("SELECT 1;", False), ("-- the end", True)]
    assert split_statements("SELECT 1;\n/* a */ ;")[1].empty
