"""The worker process's metrics endpoint: its registry (workflow starts, pool, outbox lag) on a port of its own.

The API serves ``/metrics`` itself; the worker has no HTTP server, so ``WorkerMetricsEndpoint.start`` runs a small one
on a thread (``KEEL_OBSERVABILITY__WORKER_METRICS_HOST``/``_PORT``; port 0 = none). A port already taken is logged and
the worker runs on without it: metrics never stop the work.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import structlog

from keel.application.ports import Clock
from keel.infrastructure.metrics.exposition import MetricsExposition, MetricsServer
from keel.infrastructure.metrics.outbox import OutboxLagCollector
from keel.infrastructure.metrics.registry import KeelMetrics
from keel.infrastructure.outbox.store import OutboxLag

logger = structlog.get_logger(__name__)


class WorkerMetricsEndpoint:
    def __init__(
        self,
        metrics: KeelMetrics,
        exposition: MetricsExposition,
        clock: Clock,
        *,
        enabled: bool,
        host: str,
        port: int,
    ) -> None:
        self._metrics = metrics
        self._exposition = exposition
        self._clock = clock
        self._enabled = enabled and port != 0
        self._host = host
        self._port = port
        self._server: MetricsServer | None = None

    @property
    def port(self) -> int | None:
        """The port served, or ``None`` when no endpoint runs."""
        return None if self._server is None else self._server.port

    def start(self, outbox_lag: Callable[[], Awaitable[OutboxLag]]) -> None:
        """Serve the metrics, the outbox lag read from ``outbox_lag`` on the running loop at each scrape."""
        if not self._enabled or self._server is not None:
            return
        self._metrics.registry.register(OutboxLagCollector(outbox_lag, self._clock, asyncio.get_running_loop()))
        try:
            server = MetricsServer(self._exposition, host=self._host, port=self._port)
        except OSError as error:
            logger.error("metrics.server.unavailable", host=self._host, port=self._port, error=str(error))
            return
        server.start()
        self._server = server

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
