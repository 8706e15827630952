"""Health checks of the dependencies the service needs, run concurrently with a per-check timeout.

A check is anything with a ``name``, a ``required`` flag and an async ``probe()`` that raises when the dependency is not
usable. Features register their checks in the container's ``health_checks`` list; nothing else changes.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


class HealthCheck(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def required(self) -> bool:
        """A failing required check makes the service not ready; an optional one only degrades it."""
        ...

    async def probe(self) -> None:
        """Return when the dependency answers; raise otherwise."""
        ...


@dataclass(frozen=True, slots=True)
class CheckResult:
    name: str
    healthy: bool
    required: bool
    latency_ms: float
    error: str | None = None


@dataclass(frozen=True, slots=True)
class HealthReport:
    checks: tuple[CheckResult, ...]

    @property
    def ready(self) -> bool:
        return all(check.healthy for check in self.checks if check.required)

    @property
    def status(self) -> str:
        if not self.ready:
            return "fail"
        return "pass" if all(check.healthy for check in self.checks) else "warn"


class CheckHealth:
    """Run every registered check at once; a check slower than ``timeout_seconds`` counts as failed."""

    def __init__(self, checks: Sequence[HealthCheck], timeout_seconds: float) -> None:
        self._checks = tuple(checks)
        self._timeout_seconds = timeout_seconds

    async def __call__(self) -> HealthReport:
        results = await asyncio.gather(*(self._run(check) for check in self._checks))
        return HealthReport(checks=tuple(results))

    async def _run(self, check: HealthCheck) -> CheckResult:
        started = time.perf_counter()
        error: str | None = None
        try:
            async with asyncio.timeout(self._timeout_seconds):
                await check.probe()
        except TimeoutError:
            error = f"no answer within {self._timeout_seconds:g}s"
        except Exception as exc:  # noqa: BLE001 - a health probe reports every failure, it never raises
            error = _describe(exc)
        latency_ms = round((time.perf_counter() - started) * 1000, 2)
        return CheckResult(
            name=check.name, healthy=error is None, required=check.required, latency_ms=latency_ms, error=error
        )


def _describe(exc: BaseException) -> str:
    """The class name of the root cause only: messages may carry hosts or credentials, and the body is public.

    Drivers' errors arrive wrapped by their libraries (a database error inside an ORM error); the root says more.
    """
    root = exc
    while root.__cause__ is not None and root.__cause__ is not root:
        root = root.__cause__
    return type(root).__name__
