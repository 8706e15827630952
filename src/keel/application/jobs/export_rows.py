"""How an export writes users: CSV for spreadsheets, JSON Lines for programs. Pure functions, no I/O.

CSV cells that a spreadsheet would read as a formula — those starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return — get a leading single quote ``'`` (the OWASP advice against CSV injection): a full name such as
``=HYPERLINK(...)`` shows as text instead of running. The ``csv`` module quotes what needs quoting (commas, quotes,
line breaks), so every cell parses back. JSON Lines is not a spreadsheet format: its values are written as they are,
one JSON object per user per line.

Both formats carry the same fields; ``roles`` is ``;``-joined in CSV (as an import reads it) and a list in JSON.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import Final

from keel.application.jobs.csv_records import ROLE_SEPARATOR
from keel.application.jobs.storage import JobFile
from keel.domain.users import User

EXPORT_FIELDS: Final = (
    "id",
    "email",
    "username",
    "full_name",
    "roles",
    "status",
    "locale",
    "timezone",
    "email_verified_at",
    "created_at",
    "updated_at",
    "deleted_at",
)
FORMULA_PREFIXES: Final = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet may take for the start of a formula (OWASP, CSV injection)."""
FORMULA_ESCAPE: Final = "'"

type ExportValue = str | list[str] | None


class ExportFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"

    @property
    def file(self) -> JobFile:
        """The job file the export writes."""
        return JobFile.EXPORT_CSV if self is ExportFormat.CSV else JobFile.EXPORT_JSONL


def escape_formula(cell: str) -> str:
    """``cell`` with a leading ``'`` when it starts like a formula; unchanged otherwise."""
    return FORMULA_ESCAPE + cell if cell.startswith(FORMULA_PREFIXES) else cell


def export_record(user: User) -> dict[str, ExportValue]:
    """The exported fields of ``user``: strings (ISO 8601 timestamps), roles as a sorted list, ``None`` when unset."""
    return {
        "id": str(user.id),
        "email": user.email.value,
        "username": user.username.value,
        "full_name": user.full_name,
        "roles": sorted(role.value for role in user.roles),
        "status": user.status.value,
        "locale": user.preferences.locale,
        "timezone": user.preferences.timezone,
        "email_verified_at": _timestamp(user.email_verified_at),
        "created_at": _timestamp(user.created_at),
        "updated_at": _timestamp(user.updated_at),
        "deleted_at": _timestamp(user.deleted_at),
    }


def csv_cells(record: dict[str, ExportValue]) -> list[str]:
    """A record's CSV cells in ``EXPORT_FIELDS`` order, formula-escaped; ``None`` is an empty cell."""
    return [escape_formula(_cell(record[name])) for name in EXPORT_FIELDS]


def csv_header() -> bytes:
    return csv_lines([list(EXPORT_FIELDS)])


def csv_lines(rows: Iterable[list[str]]) -> bytes:
    """The rows as CSV (``\\r\\n`` line ends, RFC 4180), UTF-8; cells are written as given."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode("utf-8")


def encode_users(users: Iterable[User], export_format: ExportFormat) -> bytes:
    """The users' lines in ``export_format`` (without the CSV header)."""
    records = (export_record(user) for user in users)
    if export_format is ExportFormat.CSV:
        return csv_lines(csv_cells(record) for record in records)
    return jsonl_lines(records)


def jsonl_lines(records: Iterable[dict[str, ExportValue]]) -> bytes:
    """One compact JSON object per line, UTF-8, values as they are."""
    return "".join(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n" for record in records).encode(
        "utf-8"
    )


def _cell(value: ExportValue) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ROLE_SEPARATOR.join(value)
    return value


def _timestamp(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None
