"""Encoding exported users: CSV cells that parse back and never start like a formula; JSON Lines written as is."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from factories import UserFactory
from keel.application.jobs import EXPORT_FIELDS, ExportFormat, encode_users, escape_formula
from keel.application.jobs.export_rows import FORMULA_PREFIXES, csv_cells, csv_header, csv_lines, export_record
from keel.domain.users import EmailAddress, Preferences, Role, User, Username, UserStatus

cells = st.text(alphabet=st.characters(codec="utf-8"), max_size=30)
"""Any text a cell may hold — formula characters, quotes, commas, line breaks, NUL — as UTF-8 can write it."""


def _parse(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def _user(**fields: object) -> User:
    values: dict[str, object] = {
        "email": EmailAddress("ada@acme.example"),
        "username": Username("ada"),
        "full_name": "Ada Lovelace",
        "roles": frozenset({Role.MEMBER, Role.ADMIN}),
        "status": UserStatus.ACTIVE,
        "preferences": Preferences(locale="fr-FR", timezone="Europe/Paris"),
        "created_at": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        "updated_at": datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC),
    }
    user: User = UserFactory.build(**(values | fields))
    return user


@given(st.lists(st.lists(cells, min_size=1, max_size=6), min_size=1, max_size=5))
def test_every_cell_parses_back_escaped_and_none_begins_like_a_formula(rows: list[list[str]]) -> None:
    escaped = [[escape_formula(cell) for cell in row] for row in rows]

    parsed = _parse(csv_lines(escaped))

    assert parsed == escaped
    assert not [cell for row in parsed for cell in row if cell.startswith(FORMULA_PREFIXES)]
    unescaped = [
        [cell[1:] if before.startswith(FORMULA_PREFIXES) else cell for cell, before in zip(row, source, strict=True)]
        for row, source in zip(parsed, rows, strict=True)
    ]
    assert unescaped == rows  # the one quote added to a formula cell is the only change


@given(cells)
def test_escaping_adds_one_quote_exactly_to_formula_cells(cell: str) -> None:
    escaped = escape_formula(cell)

    if cell.startswith(FORMULA_PREFIXES):
        assert escaped == "'" + cell
    else:
        assert escaped == cell


@given(st.text(max_size=40))
def test_a_users_csv_line_parses_back_to_its_fields_with_the_name_escaped(full_name: str) -> None:
    user = _user(full_name=full_name)

    (parsed,) = _parse(encode_users([user], ExportFormat.CSV))

    assert dict(zip(EXPORT_FIELDS, parsed, strict=True))["full_name"] == escape_formula(full_name)
    assert not [cell for cell in parsed if cell.startswith(FORMULA_PREFIXES)]


def test_the_csv_header_names_the_fields() -> None:
    assert csv_header() == (
        b"id,email,username,full_name,roles,status,locale,timezone,email_verified_at,created_at,updated_at,deleted_at"
        b"\r\n"
    )


def test_a_user_in_csv_has_roles_joined_by_semicolons_and_iso_timestamps() -> None:
    user = _user(full_name='=HYPERLINK("http://evil.example","x")')

    (row,) = _parse(encode_users([user], ExportFormat.CSV))

    assert row == [
        str(user.id),
        "ada@acme.example",
        "ada",
        '\'=HYPERLINK("http://evil.example","x")',
        "admin;member",
        "active",
        "fr-FR",
        "Europe/Paris",
        "",
        "2026-01-02T03:04:05+00:00",
        "2026-02-03T04:05:06+00:00",
        "",
    ]


def test_json_lines_hold_one_object_per_user_with_values_as_they_are() -> None:
    users = [
        _user(full_name="=1+2"),
        _user(full_name='Zoë, "the" admin\n', deleted_at=datetime(2026, 3, 1, tzinfo=UTC)),
    ]

    lines = encode_users(users, ExportFormat.JSONL).decode("utf-8").split("\n")

    assert lines[-1] == ""
    first, second = (json.loads(line) for line in lines[:-1])
    assert first == export_record(users[0])
    assert first["full_name"] == "=1+2"
    assert first["roles"] == ["admin", "member"]
    assert first["deleted_at"] is None
    assert second["full_name"] == 'Zoë, "the" admin\n'
    assert second["deleted_at"] == "2026-03-01T00:00:00+00:00"
    assert "Zoë" in lines[1]  # not \u-escaped


def test_every_formula_prefix_is_escaped_in_every_field_a_user_controls() -> None:
    for prefix in FORMULA_PREFIXES:
        record = export_record(_user(full_name=f"{prefix}cmd"))
        assert csv_cells(record)[EXPORT_FIELDS.index("full_name")] == f"'{prefix}cmd"
