"""``keel_outbox_pending`` and ``keel_outbox_lag_seconds``, read from the relay's ``lag()`` at scrape time.

The worker serves its metrics from a thread; the lag query runs on the worker's event loop (where the engine lives),
and the scrape waits for it at most ``timeout_seconds``. A failed or slow query reports nothing for the outbox in that
scrape (Prometheus then shows the series as stale) and is logged.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator

import structlog
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from keel.application.ports import Clock
from keel.infrastructure.outbox.store import OutboxLag

logger = structlog.get_logger(__name__)


class OutboxLagCollector(Collector):
    def __init__(
        self,
        lag: Callable[[], Awaitable[OutboxLag]],
        clock: Clock,
        loop: asyncio.AbstractEventLoop,
        *,
        timeout_seconds: float = 2.0,
    ) -> None:
        self._lag = lag
        self._clock = clock
        self._loop = loop
        self._timeout = timeout_seconds

    def describe(self) -> Iterator[Metric]:
        yield _pending()
        yield _lag_seconds()

    def collect(self) -> Iterator[Metric]:
        try:
            lag = asyncio.run_coroutine_threadsafe(_awaited(self._lag), self._loop).result(self._timeout)
        except Exception:  # a scrape must answer with the other metrics even when PostgreSQL does not
            logger.exception("metrics.outbox_lag_unavailable")
            return
        pending, lag_seconds = _pending(), _lag_seconds()
        pending.add_metric((), lag.pending)
        lag_seconds.add_metric((), lag.oldest_age_seconds(self._clock.now()))
        yield pending
        yield lag_seconds


def _pending() -> GaugeMetricFamily:
    return GaugeMetricFamily("keel_outbox_pending", "Outbox rows not dispatched yet (available now or backed off).")


def _lag_seconds() -> GaugeMetricFamily:
    return GaugeMetricFamily("keel_outbox_lag_seconds", "Age of the oldest undispatched outbox row (0 when none).")


async def _awaited(lag: Callable[[], Awaitable[OutboxLag]]) -> OutboxLag:
    return await lag()
