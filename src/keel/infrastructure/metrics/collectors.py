"""Figures read when Prometheus scrapes, not counted as things happen: pool usage, cache and rate-limit counters,
breaker states.

Each also describes its metrics without reading them (``describe``), so registering one reads nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import QueuePool

from keel.infrastructure.cache.breaker import BreakerState
from keel.infrastructure.cache.stats import CacheStats
from keel.infrastructure.rate_limits import RateLimitStats


class DatabasePoolCollector(Collector):
    """``keel_db_pool_connections{state}``: connections checked out, idle in the pool, and opened above its size.

    Reports nothing until an engine is attached (``pool_metrics_resource``, started right after the engine).
    """

    def __init__(self) -> None:
        self.engine: AsyncEngine | None = None

    def describe(self) -> Iterator[Metric]:
        yield self._family()

    def collect(self) -> Iterator[Metric]:
        engine = self.engine
        if engine is None or not isinstance(engine.pool, QueuePool):
            return
        pool = engine.pool
        family = self._family()
        family.add_metric(("checked_out",), pool.checkedout())
        family.add_metric(("idle",), pool.checkedin())
        family.add_metric(("overflow",), max(pool.overflow(), 0))  # negative while the pool is not full yet
        yield family

    @staticmethod
    def _family() -> GaugeMetricFamily:
        return GaugeMetricFamily(
            "keel_db_pool_connections", "Connections of the SQLAlchemy pool, by state.", labels=("state",)
        )


async def pool_metrics_resource(collector: DatabasePoolCollector, engine: AsyncEngine) -> AsyncIterator[None]:
    """Report the engine's pool while the resource runs."""
    collector.engine = engine
    try:
        yield
    finally:
        collector.engine = None


class CacheCollector(Collector):
    """``keel_cache_operations_total{result}`` and ``keel_cache_circuit_open`` from the user cache's counters."""

    def __init__(self, stats: CacheStats) -> None:
        self._stats = stats

    def describe(self) -> Iterator[Metric]:
        yield self._operations()
        yield self._circuit_open()

    def collect(self) -> Iterator[Metric]:
        stats = self._stats
        operations = self._operations()
        operations.add_metric(("hit",), stats.hits)
        operations.add_metric(("miss",), stats.misses)
        operations.add_metric(("error",), stats.errors)
        operations.add_metric(("bypassed",), stats.bypassed)
        yield operations
        circuit_open = self._circuit_open()
        circuit_open.add_metric((), 0 if stats.breaker_state is BreakerState.CLOSED else 1)
        yield circuit_open

    @staticmethod
    def _operations() -> CounterMetricFamily:
        return CounterMetricFamily(
            "keel_cache_operations",
            "User cache reads and Redis calls: hit, miss (read from PostgreSQL), error (Redis failed), bypassed "
            "(not tried: breaker open).",
            labels=("result",),
        )

    @staticmethod
    def _circuit_open() -> GaugeMetricFamily:
        return GaugeMetricFamily(
            "keel_cache_circuit_open",
            "1 while the cache's circuit breaker skips Redis (open, or half-open awaiting its probe), else 0.",
        )


class RateLimitCollector(Collector):
    """``keel_rate_limit_uncounted_total{outcome}`` and ``keel_rate_limit_circuit_open`` from the limiter's counters:
    while Redis cannot count, quotas are not enforced (fail open) or their routes refused (fail closed) — either way
    worth an alert, and only logs would say so otherwise."""

    def __init__(self, stats: RateLimitStats) -> None:
        self._stats = stats

    def describe(self) -> Iterator[Metric]:
        yield self._uncounted()
        yield self._circuit_open()

    def collect(self) -> Iterator[Metric]:
        uncounted = self._uncounted()
        uncounted.add_metric(("allowed",), self._stats.failed_open)
        uncounted.add_metric(("refused",), self._stats.failed_closed)
        yield uncounted
        circuit_open = self._circuit_open()
        circuit_open.add_metric((), 0 if self._stats.breaker_state is BreakerState.CLOSED else 1)
        yield circuit_open

    @staticmethod
    def _uncounted() -> CounterMetricFamily:
        return CounterMetricFamily(
            "keel_rate_limit_uncounted",
            "Requests the rate limiter could not count (Redis failed, or its breaker was open): let through "
            "(allowed, a fail-open quota) or refused with a 503 (refused, a fail-closed quota).",
            labels=("outcome",),
        )

    @staticmethod
    def _circuit_open() -> GaugeMetricFamily:
        return GaugeMetricFamily(
            "keel_rate_limit_circuit_open",
            "1 while the rate limiter's circuit breaker skips Redis (open, or half-open awaiting its probe), else 0.",
        )
