"""``RedisRateLimiter``: the ``RateLimiter`` port on Redis, one ``EVALSHA`` of the GCRA script per hit.

Keys are ``{prefix}:rl:{quota}:{caller key}``. When Redis fails (an error, a timeout, or the circuit breaker open
after repeated failures, so that a dead Redis costs no timeout per request), the hit is logged and counted, then
answered by the quota's policy: a ``fail_closed`` quota (log-in, password reset, sign-up) raises
``DependencyUnavailable`` — nobody may guess passwords while nothing counts — and the others let the request through.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

from keel.application.errors import DependencyUnavailable
from keel.application.ports.rate_limits import Quota, RateDecision
from keel.infrastructure.cache.breaker import BreakerState, CircuitBreaker
from keel.infrastructure.rate_limits.gcra import GCRA_SCRIPT

logger = structlog.get_logger(__name__)

_MICROSECONDS: Final = 1_000_000
_UNAVAILABLE_RETRY_SECONDS: Final = 5


@dataclass(eq=False)
class RateLimitStats:
    """Counters per process: hits decided, refused, and the hits Redis could not count (``errors``), of which
    ``failed_open`` were let through and ``failed_closed`` refused (exported by ``metrics.RateLimitCollector``)."""

    breaker: CircuitBreaker = field(repr=False)
    decided: int = 0
    refused: int = 0
    errors: int = 0
    failed_open: int = 0
    failed_closed: int = 0

    @property
    def breaker_state(self) -> BreakerState:
        return self.breaker.state


class RedisRateLimiter:
    """Implements ``RateLimiter``."""

    def __init__(
        self, client: Redis, *, key_prefix: str, breaker: CircuitBreaker, stats: RateLimitStats | None = None
    ) -> None:
        self._script = client.register_script(GCRA_SCRIPT)
        self._prefix = f"{key_prefix}:rl"
        self._breaker = breaker
        # Given by the container so the metrics collector reads the same counters; else the limiter's own.
        self.stats = stats if stats is not None else RateLimitStats(breaker=breaker)

    async def hit(self, quota: Quota, keys: Sequence[str]) -> RateDecision:
        if not keys:
            raise ValueError("a hit counts for at least one key")
        period = quota.period_seconds * _MICROSECONDS
        interval = max(1, period // quota.limit)  # microseconds; settings refuse rates finer than that
        redis_keys = [f"{self._prefix}:{quota.name}:{key}" for key in keys]
        if not self._breaker.allow():
            return self._uncounted(quota, reason="breaker_open")
        try:
            answer = await self._script(keys=redis_keys, args=[interval, period])
        except (RedisError, OSError) as error:
            self._breaker.record_failure()
            return self._uncounted(quota, reason=type(error).__name__)
        self._breaker.record_success()
        allowed, remaining, retry_after_us, reset_us = (int(value) for value in answer)
        self.stats.decided += 1
        if not allowed:
            self.stats.refused += 1
        return RateDecision(
            allowed=bool(allowed),
            quota=quota,
            remaining=max(remaining, 0),
            reset_seconds=math.ceil(reset_us / _MICROSECONDS),
            retry_after_seconds=max(1, math.ceil(retry_after_us / _MICROSECONDS)) if not allowed else 0,
        )

    def _uncounted(self, quota: Quota, *, reason: str) -> RateDecision:
        self.stats.errors += 1
        if quota.fail_closed:
            self.stats.failed_closed += 1
            logger.error("rate_limit.unavailable", quota=quota.name, reason=reason, outcome="refused")
            raise DependencyUnavailable(
                "Requests of this kind cannot be accepted now; try again shortly.",
                retry_after_seconds=_UNAVAILABLE_RETRY_SECONDS,
            )
        self.stats.failed_open += 1
        logger.warning("rate_limit.unavailable", quota=quota.name, reason=reason, outcome="allowed")
        return RateDecision(allowed=True, quota=quota, remaining=quota.limit, reset_seconds=0, counted=False)
