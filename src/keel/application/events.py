"""The event bus: domain events reach their handlers in-process, after the transaction that produced them committed.

A handler that fails is logged (stdlib ``logging``; the logging configuration routes it) and counted in
``HandlerFailures`` — a metrics adapter can implement that port — and never undoes or fails the committed request:
the other handlers still run.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any, Protocol

from keel.domain.events import DomainEvent

logger = logging.getLogger(__name__)

type EventHandler[E: DomainEvent] = Callable[[E], Awaitable[None]]


class EventBus(Protocol):
    async def publish(self, events: Sequence[DomainEvent]) -> None:
        """Hand each event, in order, to its handlers. Never raises because a handler failed."""
        ...


class HandlerFailures(Protocol):
    """Counts handlers that raised (for after-commit callbacks, ``event`` is ``"after_commit"``)."""

    def record(self, *, handler: str, event: str) -> None: ...


class HandlerFailureCounts:
    """``HandlerFailures`` kept in memory: a count per (handler, event) pair."""

    def __init__(self) -> None:
        self.counts: Counter[tuple[str, str]] = Counter()

    def record(self, *, handler: str, event: str) -> None:
        self.counts[handler, event] += 1

    @property
    def total(self) -> int:
        return self.counts.total()


class InProcessEventBus:
    """Handlers subscribe to an event class and receive its instances and its subclasses' (``DomainEvent``: all)."""

    def __init__(self, failures: HandlerFailures | None = None) -> None:
        self.failures: HandlerFailures = failures if failures is not None else HandlerFailureCounts()
        self._handlers: defaultdict[type[DomainEvent], list[EventHandler[Any]]] = defaultdict(list)

    def subscribe[E: DomainEvent](self, event_type: type[E], handler: EventHandler[E]) -> None:
        self._handlers[event_type].append(handler)

    def handlers_for(self, event: DomainEvent) -> list[EventHandler[Any]]:
        """The handlers of the event's class first, then those of its base classes, each in subscription order."""
        return [handler for cls in type(event).__mro__ for handler in self._handlers.get(cls, ())]

    async def publish(self, events: Sequence[DomainEvent]) -> None:
        for event in events:
            for handler in self.handlers_for(event):
                await run_guarded(
                    partial(handler, event), name=handler_name(handler), event_name=event.name, failures=self.failures
                )


async def run_guarded(
    call: Callable[[], Awaitable[None]], *, name: str, event_name: str, failures: HandlerFailures
) -> None:
    """Await ``call()``; if it raises, log and count instead (cancellation still propagates)."""
    try:
        await call()
    except Exception:  # a boundary that must survive: the transaction has committed
        logger.exception(
            "Handler %s failed on %s", name, event_name, extra={"handler": name, "domain_event": event_name}
        )
        failures.record(handler=name, event=event_name)


def handler_name(handler: object) -> str:
    return str(getattr(handler, "__qualname__", None) or type(handler).__qualname__)
