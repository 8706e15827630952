"""Counters of the user cache, per process, until a metrics adapter exports them.

- ``hits``: reads answered from Redis; ``misses``: reads answered by the database (the caller's own read, or one it
  shared with concurrent callers in this process);
- ``errors``: Redis calls that failed (each is also logged); ``bypassed``: calls not made because the breaker was open;
- ``undecodable``: values present but unreadable (a dictionary this process does not know, corruption): read as misses;
- ``fills_rejected``: fills refused because the reader's lease was gone — a write committed (and invalidated) while
  it read, or the lease expired: the stale-set protection at work;
- ``invalidations_pending``: keys whose invalidation failed and will be retried before the next read uses Redis.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from keel.infrastructure.cache.breaker import BreakerState, CircuitBreaker


@dataclass(eq=False)
class CacheStats:
    breaker: CircuitBreaker = field(repr=False)
    hits: int = 0
    misses: int = 0
    errors: int = 0
    bypassed: int = 0
    undecodable: int = 0
    fills_rejected: int = 0
    invalidations_pending: int = 0

    @property
    def breaker_state(self) -> BreakerState:
        return self.breaker.state
