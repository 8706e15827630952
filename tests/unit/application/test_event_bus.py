"""The in-process event bus: handlers by event class (and base class), in order, isolated from each other."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest

from fakes.clock import START
from keel.application.events import HandlerFailureCounts, InProcessEventBus
from keel.domain.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class Happened(DomainEvent):
    n: int


@dataclass(frozen=True, kw_only=True)
class HappenedAgain(Happened):
    pass


@dataclass(frozen=True, kw_only=True)
class Unrelated(DomainEvent):
    pass


async def test_handlers_receive_their_class_and_its_subclasses_in_order() -> None:
    bus = InProcessEventBus()
    specific: list[int] = []
    general: list[str] = []

    async def on_happened(event: Happened) -> None:
        specific.append(event.n)

    async def on_anything(event: DomainEvent) -> None:
        general.append(event.name)

    bus.subscribe(Happened, on_happened)
    bus.subscribe(DomainEvent, on_anything)
    await bus.publish(
        [Happened(occurred_at=START, n=1), Unrelated(occurred_at=START), HappenedAgain(occurred_at=START, n=2)]
    )
    assert specific == [1, 2]
    assert general == ["Happened", "Unrelated", "HappenedAgain"]


async def test_a_failing_handler_is_counted_and_the_others_still_run(caplog: pytest.LogCaptureFixture) -> None:
    failures = HandlerFailureCounts()
    bus = InProcessEventBus(failures)
    handled: list[int] = []

    async def broken(event: Happened) -> None:
        raise KeyError("bug")

    async def fine(event: Happened) -> None:
        handled.append(event.n)

    bus.subscribe(Happened, broken)
    bus.subscribe(Happened, fine)
    await bus.publish([Happened(occurred_at=START, n=1), Happened(occurred_at=START, n=2)])
    assert handled == [1, 2]
    assert failures.total == 2
    [(handler, event)] = failures.counts
    assert handler.endswith("broken")
    assert event == "Happened"
    assert all(record.exc_info for record in caplog.records if record.name == "keel.application.events")


async def test_cancellation_is_not_swallowed() -> None:
    bus = InProcessEventBus()

    async def cancelled(event: Happened) -> None:
        raise asyncio.CancelledError

    bus.subscribe(Happened, cancelled)
    with pytest.raises(asyncio.CancelledError):
        await bus.publish([Happened(occurred_at=START, n=1)])
