"""The application's counting ports reach Prometheus; scrape-time collectors read the cache's counters and breaker;
the exposition answers the text format, behind a bearer token when one is set."""

from __future__ import annotations

from dataclasses import dataclass

from fakes.clock import START
from keel.application.events import InProcessEventBus
from keel.domain.events import DomainEvent
from keel.infrastructure.cache.breaker import CircuitBreaker
from keel.infrastructure.cache.stats import CacheStats
from keel.infrastructure.metrics.adapters import (
    PrometheusHandlerFailures,
    PrometheusRateLimitMetrics,
    PrometheusWorkflowMetrics,
)
from keel.infrastructure.metrics.collectors import CacheCollector, DatabasePoolCollector, RateLimitCollector
from keel.infrastructure.metrics.exposition import MetricsExposition
from keel.infrastructure.metrics.registry import KeelMetrics
from keel.infrastructure.rate_limits import RateLimitStats


@dataclass(frozen=True, kw_only=True)
class SomethingHappened(DomainEvent):
    pass


async def test_a_failing_event_handler_is_counted_by_handler_and_event() -> None:
    metrics = KeelMetrics()
    bus = InProcessEventBus(PrometheusHandlerFailures(metrics))

    async def explode(event: DomainEvent) -> None:
        raise RuntimeError("handler bug")

    bus.subscribe(SomethingHappened, explode)
    await bus.publish([SomethingHappened(occurred_at=START), SomethingHappened(occurred_at=START)])
    [(labels, value)] = [
        (sample.labels, sample.value)
        for family in metrics.registry.collect()
        for sample in family.samples
        if sample.name == "keel_event_handler_failures_total"
    ]
    assert labels["event"] == "SomethingHappened"
    assert labels["handler"].endswith("explode")
    assert value == 2


def test_rate_limit_rejections_and_workflow_starts_are_counted_by_their_label() -> None:
    metrics = KeelMetrics()
    limits = PrometheusRateLimitMetrics(metrics)
    workflows = PrometheusWorkflowMetrics(metrics)
    limits.rejected(route_class="login")
    limits.rejected(route_class="login")
    workflows.started("SendEmail")
    workflows.failed("SendEmail")
    sample = metrics.registry.get_sample_value
    assert sample("keel_rate_limit_rejections_total", {"route_class": "login"}) == 2
    assert sample("keel_workflow_starts_total", {"workflow": "SendEmail"}) == 1
    assert sample("keel_workflow_failures_total", {"workflow": "SendEmail"}) == 1


def test_cache_counters_and_breaker_state_are_read_at_scrape_time() -> None:
    now = [0.0]
    breaker = CircuitBreaker(failure_threshold=1, open_seconds=5, clock=lambda: now[0])
    stats = CacheStats(breaker, hits=7, misses=3, errors=1, bypassed=2)
    metrics = KeelMetrics()
    metrics.registry.register(CacheCollector(stats))
    sample = metrics.registry.get_sample_value
    assert sample("keel_cache_circuit_open") == 0
    breaker.record_failure()
    stats.hits += 1
    assert sample("keel_cache_circuit_open") == 1
    assert {
        result: sample("keel_cache_operations_total", {"result": result})
        for result in ("hit", "miss", "error", "bypassed")
    } == {
        "hit": 8,
        "miss": 3,
        "error": 1,
        "bypassed": 2,
    }


def test_requests_the_rate_limiter_could_not_count_and_its_breaker_are_read_at_scrape_time() -> None:
    now = [0.0]
    breaker = CircuitBreaker(failure_threshold=2, open_seconds=5, clock=lambda: now[0], name="rate_limit")
    stats = RateLimitStats(breaker=breaker, decided=10, refused=1)
    metrics = KeelMetrics()
    metrics.registry.register(RateLimitCollector(stats))
    sample = metrics.registry.get_sample_value
    assert sample("keel_rate_limit_circuit_open") == 0
    assert sample("keel_rate_limit_uncounted_total", {"outcome": "allowed"}) == 0
    breaker.record_failure()
    breaker.record_failure()
    stats.failed_open += 3
    stats.failed_closed += 2
    assert sample("keel_rate_limit_circuit_open") == 1
    assert sample("keel_rate_limit_uncounted_total", {"outcome": "allowed"}) == 3
    assert sample("keel_rate_limit_uncounted_total", {"outcome": "refused"}) == 2
    now[0] = 5.0  # half-open: still skipping Redis until its probe succeeds
    assert sample("keel_rate_limit_circuit_open") == 1
    breaker.record_success()
    assert sample("keel_rate_limit_circuit_open") == 0


def test_a_pool_not_started_reports_nothing() -> None:
    metrics = KeelMetrics()
    metrics.registry.register(DatabasePoolCollector())  # no engine attached
    assert metrics.registry.get_sample_value("keel_db_pool_connections", {"state": "idle"}) is None


def test_the_exposition_requires_the_bearer_token_when_one_is_set() -> None:
    metrics = KeelMetrics()
    PrometheusRateLimitMetrics(metrics).rejected(route_class="write")
    open_page = MetricsExposition(metrics.registry).render(None)
    assert open_page.status == 200
    assert open_page.content_type.startswith("text/plain; version=")
    assert b'keel_rate_limit_rejections_total{route_class="write"} 1.0' in open_page.body

    guarded = MetricsExposition(metrics.registry, bearer_token="s3cret")
    for wrong in (None, "Bearer nope", "s3cret", "Basic czNjcmV0"):
        page = guarded.render(wrong)
        assert page.status == 401
        assert page.headers == {"WWW-Authenticate": "Bearer"}
        assert b"keel_" not in page.body
    assert guarded.render("Bearer s3cret").status == 200
