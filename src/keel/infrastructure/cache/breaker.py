"""A circuit breaker, per process: stop calling a backend that keeps failing, and try it again later.

- **closed**: calls go through; ``failure_threshold`` consecutive failures open it.
- **open**: calls are refused (``allow()`` is false) for ``open_seconds`` — the caller falls back at once instead of
  waiting for a connect timeout on every request.
- **half-open**: once that time has passed, one call (the probe) is let through; its success closes the breaker, its
  failure opens it for another ``open_seconds``. Other calls are refused while the probe is out; a probe that never
  reports (its caller was cancelled) is replaced after ``open_seconds``.

Single-threaded by design (one event loop); the clock is injectable so tests need not sleep.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import StrEnum

import structlog

logger = structlog.get_logger(__name__)


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    def __init__(
        self,
        *,
        failure_threshold: int = 5,
        open_seconds: float = 5.0,
        name: str = "redis",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1 or open_seconds <= 0:
            raise ValueError("failure_threshold must be >= 1 and open_seconds > 0")
        self.failure_threshold = failure_threshold
        self.open_seconds = open_seconds
        self.name = name
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._probe_started_at: float | None = None

    @property
    def state(self) -> BreakerState:
        if self._opened_at is None:
            return BreakerState.CLOSED
        if self._clock() - self._opened_at < self.open_seconds:
            return BreakerState.OPEN
        return BreakerState.HALF_OPEN

    def allow(self) -> bool:
        """Whether to make the call now. In half-open state, a true answer makes the caller the probe."""
        if self._opened_at is None:
            return True
        now = self._clock()
        if now - self._opened_at < self.open_seconds:
            return False
        if self._probe_started_at is not None and now - self._probe_started_at < self.open_seconds:
            return False
        self._probe_started_at = now
        return True

    def record_success(self) -> None:
        if self._opened_at is not None:
            logger.info("cache.breaker.closed", breaker=self.name)
        self._failures = 0
        self._opened_at = None
        self._probe_started_at = None

    def record_failure(self) -> None:
        self._failures += 1
        if self._opened_at is not None or self._failures >= self.failure_threshold:
            if self._opened_at is None:
                logger.error(
                    "cache.breaker.opened",
                    breaker=self.name,
                    failures=self._failures,
                    open_seconds=self.open_seconds,
                )
            self._opened_at = self._clock()
            self._probe_started_at = None
