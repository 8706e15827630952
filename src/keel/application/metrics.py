"""Ports through which the application reports what it counts; the Prometheus adapters implement them.

The rate limiter calls ``RateLimitMetrics.rejected(route_class=...)`` once per request it refuses, with the name of
the limit's class of routes (a fixed set such as ``"login"``, ``"write"``, ``"read"`` — never a path or a client id,
which would make one series per caller). Handler failures of the unit of work go through ``events.HandlerFailures``.
"""

from __future__ import annotations

from collections import Counter
from typing import Protocol


class RateLimitMetrics(Protocol):
    def rejected(self, *, route_class: str) -> None:
        """Count one request refused by the rate limit of ``route_class``."""
        ...


class RateLimitRejectionCounts:
    """``RateLimitMetrics`` kept in memory: a count per route class (for tests and for processes without metrics)."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def rejected(self, *, route_class: str) -> None:
        self.counts[route_class] += 1
