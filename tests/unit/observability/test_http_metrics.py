"""Request metrics are labelled by route template, whatever the raw path, so the number of series stays bounded."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI, HTTPException

from keel.infrastructure.metrics.http import HttpMetricsMiddleware
from keel.infrastructure.metrics.registry import KeelMetrics


@pytest.fixture
def metrics() -> KeelMetrics:
    return KeelMetrics()


@pytest.fixture
def client(metrics: KeelMetrics) -> httpx.AsyncClient:
    app = FastAPI()

    @app.get("/api/v1/things/{thing_id}")
    async def get_thing(thing_id: str) -> dict[str, str]:
        if thing_id == "missing":
            raise HTTPException(404)
        if thing_id == "broken":
            raise RuntimeError("unexpected")
        return {"id": thing_id}

    app.add_middleware(HttpMetricsMiddleware, metrics=metrics)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://metrics.test")


def requests_total(metrics: KeelMetrics, method: str, route: str, status: str) -> float:
    value = metrics.registry.get_sample_value(
        "keel_http_requests_total", {"method": method, "route": route, "status": status}
    )
    return value or 0.0


def series(metrics: KeelMetrics, name: str) -> int:
    return sum(1 for family in metrics.registry.collect() for sample in family.samples if sample.name == name)


async def test_requests_are_counted_by_route_template_and_status(
    client: httpx.AsyncClient, metrics: KeelMetrics
) -> None:
    for thing in ("a", "b", "c", "missing"):
        await client.get(f"/api/v1/things/{thing}")
    assert requests_total(metrics, "GET", "/api/v1/things/{thing_id}", "200") == 3
    assert requests_total(metrics, "GET", "/api/v1/things/{thing_id}", "404") == 1
    assert (
        metrics.registry.get_sample_value(
            "keel_http_request_duration_seconds_count", {"method": "GET", "route": "/api/v1/things/{thing_id}"}
        )
        == 4
    )


async def test_unmatched_paths_share_one_label(client: httpx.AsyncClient, metrics: KeelMetrics) -> None:
    await client.get("/wp-admin/setup.php")
    await client.get("/.env")
    assert requests_total(metrics, "GET", "unmatched", "404") == 2


async def test_a_request_that_raised_counts_as_a_server_error(client: httpx.AsyncClient, metrics: KeelMetrics) -> None:
    response = await client.get("/api/v1/things/broken")
    assert response.status_code == 500
    assert requests_total(metrics, "GET", "/api/v1/things/{thing_id}", "500") == 1


async def test_unknown_methods_are_one_label_value(client: httpx.AsyncClient, metrics: KeelMetrics) -> None:
    for method in ("BREW", "PROPFIND", "X-ANYTHING"):
        await client.request(method, "/api/v1/things/a")
    assert requests_total(metrics, "OTHER", "/api/v1/things/{thing_id}", "405") == 3


async def test_a_thousand_distinct_raw_paths_make_a_handful_of_series(
    client: httpx.AsyncClient, metrics: KeelMetrics
) -> None:
    for number in range(500):
        await client.get(f"/api/v1/things/{number}")
        await client.get(f"/nowhere/{number}")
    assert series(metrics, "keel_http_requests_total") == 2  # one route template (200), unmatched (404)
    # a histogram series per route: its buckets, +Inf, count, sum — whatever the number of raw paths
    assert series(metrics, "keel_http_request_duration_seconds_count") == 2
