"""The id port. Ids are UUIDv7 (time-ordered, so new rows land at the end of their indexes);
``keel.domain.ids.Uuid7Generator`` is the production implementation."""

from __future__ import annotations

from typing import Protocol
from uuid import UUID


class IdGenerator(Protocol):
    def new_id(self) -> UUID:
        """A new UUIDv7, greater than every id this generator made before."""
        ...
