"""What the supervisor needs to know about each child. Adding a child to the stack is one more definition."""

from __future__ import annotations

import signal
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from keel.devstack.ports import PortClaim
from keel.devstack.process import RunAs

ReadinessProbe = Callable[[], bool]


def _nothing() -> None:
    return None


@dataclass(frozen=True)
class ServiceDefinition:
    """A long-running child, ready when ``probe()`` is true; the stack stops if it exits.

    ``prepare`` runs before the start (first-run setup, stale state); ``after_ready`` once the probe passed.
    ``env=None`` inherits the supervisor's environment. An ``independent`` service needs nothing started before it:
    consecutive independent services are launched together, then awaited in order.
    """

    name: str
    command: tuple[str, ...]
    probe: ReadinessProbe
    ports: tuple[PortClaim, ...] = ()
    env: Mapping[str, str] | None = None
    run_as: RunAs | None = None
    prepare: Callable[[], None] = field(default=_nothing)
    after_ready: Callable[[], None] = field(default=_nothing)
    ready_timeout: float = 30.0
    independent: bool = False
    stop_signal: signal.Signals = signal.SIGTERM
    stop_timeout: float = 10.0


@dataclass(frozen=True)
class TaskDefinition:
    """A child that must run to completion with exit code 0 before the next step starts (e.g. migrations)."""

    name: str
    command: tuple[str, ...]
    env: Mapping[str, str] | None = None
    timeout: float = 120.0


StackStep = ServiceDefinition | TaskDefinition
