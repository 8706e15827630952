"""Figures read when Prometheus scrapes, not counted as things happen: pool usage, cache counters, breaker state.

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
