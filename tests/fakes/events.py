"""An event bus that keeps what it was given to publish."""

from __future__ import annotations

from collections.abc import Sequence

from keel.domain.events import DomainEvent


class RecordingEventBus:
    def __init__(self) -> None:
        self.published: list[DomainEvent] = []

    async def publish(self, events: Sequence[DomainEvent]) -> None:
        self.published.extend(events)

    def of_type[E: DomainEvent](self, event_type: type[E]) -> list[E]:
        return [event for event in self.published if isinstance(event, event_type)]
