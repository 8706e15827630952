"""keel's Prometheus metrics: one registry per container, every metric declared here with its fixed labels.

Labels only ever take values from bounded sets (route templates, HTTP methods and status codes, workflow and handler
names, the cache's four results): see ``docs/reference/metrics.md``.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

# Request latencies of an API whose reads take ~1 ms and whose writes hash passwords (~50-500 ms).
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class KeelMetrics:
    """The registry and the metrics updated as things happen; scrape-time figures are collectors (``collectors``)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry(auto_describe=True)
        self.http_requests = Counter(
            "keel_http_requests",
            "HTTP requests answered, by method, route template and status code.",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.http_request_duration = Histogram(
            "keel_http_request_duration_seconds",
            "Time from receiving a request to the end of its response, by method and route template.",
            ("method", "route"),
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.workflow_starts = Counter(
            "keel_workflow_starts",
            "Workflows started by the outbox relay (a start found already done counts too).",
            ("workflow",),
            registry=self.registry,
        )
        self.workflow_failures = Counter(
            "keel_workflow_failures",
            "Workflows the outbox relay failed to start (the row is retried later).",
            ("workflow",),
            registry=self.registry,
        )
        self.rate_limit_rejections = Counter(
            "keel_rate_limit_rejections",
            "Requests refused by a rate limit, by class of routes.",
            ("route_class",),
            registry=self.registry,
        )
        self.event_handler_failures = Counter(
            "keel_event_handler_failures",
            "Event handlers (and after-commit callbacks) that raised, by handler and event.",
            ("handler", "event"),
            registry=self.registry,
        )
