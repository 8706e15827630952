"""Domain events and the base of aggregates that record them.

An aggregate records what happened while a use case changes it; the unit of work takes the recorded events from the
aggregates it stored and publishes them once the transaction has committed, so a handler never sees a change that was
rolled back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

type FieldValue = str | int | bool | tuple[str, ...] | tuple[tuple[str, str], ...] | None
"""A changed attribute's value in plain terms: strings, numbers, sorted tuples — what an audit log can store as is."""


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One attribute's value before and after a change (never a secret: events carry no password or key)."""

    name: str
    before: FieldValue
    after: FieldValue


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """Something that happened in the domain. Subclasses are frozen dataclasses named in the past tense."""

    occurred_at: datetime

    @property
    def name(self) -> str:
        """The event's type name, e.g. ``UserCreated`` (used in logs and metrics)."""
        return type(self).__name__


@dataclass(eq=False, kw_only=True)
class Aggregate:
    """An entity that is the unit of consistency and records the events of its changes.

    Aggregates compare by type and ``id``. Subclasses are ``@dataclass(eq=False, kw_only=True)`` to keep that.
    """

    id: UUID
    _events: list[DomainEvent] = field(default_factory=list, init=False, repr=False)

    def record(self, event: DomainEvent) -> None:
        self._events.append(event)

    @property
    def pending_events(self) -> tuple[DomainEvent, ...]:
        """The events recorded and not yet handed to the unit of work."""
        return tuple(self._events)

    def pull_events(self) -> tuple[DomainEvent, ...]:
        """The recorded events, oldest first; the aggregate forgets them."""
        events = tuple(self._events)
        self._events.clear()
        return events

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.id == other.id

    def __hash__(self) -> int:
        return hash((type(self), self.id))
