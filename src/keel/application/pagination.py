"""Keyset pagination: a ``Cursor`` marks the last item of a page, a ``Page`` is a slice of results.

A cursor holds the sort key values of the last item and its id (the tie-breaker that makes the order total), and the
name of the sort it belongs to. Turning it into the opaque string clients see — and checking that a client did not
forge one — is a ``CursorCodec``'s job at the edge; use cases only see ``Cursor`` values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from keel.domain.errors import InvariantViolated

type CursorValue = str | int | datetime


class InvalidCursor(InvariantViolated):
    code = "invalid_cursor"

    def __init__(self, detail: str = "The cursor is not valid for this query.") -> None:
        super().__init__(detail, context={"field": "cursor"})


class PageSizeOutOfRange(InvariantViolated):
    code = "page_size_out_of_range"


@dataclass(frozen=True, slots=True)
class Cursor:
    """The position after an item in one sort order."""

    sort: str
    """The sort this position belongs to, e.g. ``-created_at``; a cursor is only valid with that sort."""
    key: tuple[CursorValue, ...]
    """The values of the sort keys of the last item, in sort-key order."""
    id: UUID
    """The last item's id, the tie-breaker."""


@dataclass(frozen=True, slots=True)
class Page[T]:
    items: Sequence[T]
    next_cursor: Cursor | None
    """Where the next page starts; ``None`` on the last page."""

    @property
    def has_more(self) -> bool:
        return self.next_cursor is not None


def ensure_page_size(limit: int, *, maximum: int) -> None:
    if not 1 <= limit <= maximum:
        raise PageSizeOutOfRange(f"A page has 1 to {maximum} items.", context={"field": "limit"})


class CursorCodec(Protocol):
    """Turns cursors into opaque, tamper-evident strings and back (implemented at the edge, e.g. signed base64)."""

    def encode(self, cursor: Cursor) -> str: ...

    def decode(self, token: str) -> Cursor:
        """The cursor ``token`` encodes; ``InvalidCursor`` if it is malformed or was not made by this codec."""
        ...
