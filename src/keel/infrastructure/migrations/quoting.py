"""Quote names and text into SQL, for the statements migrations compose."""

from __future__ import annotations


def quote_identifier(name: str) -> str:
    """``name`` as a double-quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    """``value`` as a single-quoted SQL string literal (standard_conforming_strings is on since PostgreSQL 9.1)."""
    return "'" + value.replace("'", "''") + "'"
