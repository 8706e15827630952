"""Prometheus adapters of the application's counting ports."""

from __future__ import annotations

from keel.application.events import HandlerFailureCounts
from keel.infrastructure.metrics.registry import KeelMetrics


class PrometheusHandlerFailures(HandlerFailureCounts):
    """``HandlerFailures`` counted in ``keel_event_handler_failures_total`` (and in memory, as before)."""

    def __init__(self, metrics: KeelMetrics) -> None:
        super().__init__()
        self._counter = metrics.event_handler_failures

    def record(self, *, handler: str, event: str) -> None:
        super().record(handler=handler, event=event)
        self._counter.labels(handler=handler, event=event).inc()


class PrometheusRateLimitMetrics:
    """``RateLimitMetrics`` counted in ``keel_rate_limit_rejections_total``."""

    def __init__(self, metrics: KeelMetrics) -> None:
        self._counter = metrics.rate_limit_rejections

    def rejected(self, *, route_class: str) -> None:
        self._counter.labels(route_class=route_class).inc()


class PrometheusWorkflowMetrics:
    """What the outbox dispatcher reports: a workflow started, or a start that failed."""

    def __init__(self, metrics: KeelMetrics) -> None:
        self._starts = metrics.workflow_starts
        self._failures = metrics.workflow_failures

    def started(self, workflow: str) -> None:
        self._starts.labels(workflow=workflow).inc()

    def failed(self, workflow: str) -> None:
        self._failures.labels(workflow=workflow).inc()
