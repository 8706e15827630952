"""The rate limiter port: one hit on a quota, for one or several callers' keys, answered with the quota's state.

A quota allows ``limit`` requests per ``period_seconds``, all of them at once if they come at once, then one every
``period_seconds / limit`` (a generic cell rate: no window edge where twice the limit passes). A hit on several keys
(an IP address and an account) is allowed only if every key allows it, and then counts for each.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Quota:
    name: str
    """The policy's name, shown to clients in the RateLimit headers (the route class)."""
    limit: int
    period_seconds: int
    fail_closed: bool = False
    """When requests cannot be counted: refuse them (``True``) or let them through (``False``)."""


@dataclass(frozen=True, slots=True)
class RateDecision:
    allowed: bool
    quota: Quota
    remaining: int
    """Requests still allowed now, after this one (the lowest over the keys)."""
    reset_seconds: int
    """Seconds until the quota is whole again."""
    retry_after_seconds: int = 0
    """When refused: seconds until a request may pass."""
    counted: bool = True
    """``False`` when the limiter could not count and let the request through (fail open)."""


class RateLimiter(Protocol):
    async def hit(self, quota: Quota, keys: Sequence[str]) -> RateDecision:
        """Count one request against ``quota`` for each of ``keys``, atomically, in one round trip.

        When the count cannot be taken (the store is down): a ``fail_closed`` quota raises ``DependencyUnavailable``,
        another answers an allowed decision with ``counted=False``; either way the failure is logged and counted.
        """
        ...
