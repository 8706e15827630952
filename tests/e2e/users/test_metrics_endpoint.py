"""``GET /metrics`` on the whole app: requests by route template, pool usage and cache counters read at scrape time,
absent from the OpenAPI document, behind a bearer token when one is configured."""

from __future__ import annotations

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from keel.settings import Settings
from support.api import SignUp

pytestmark = pytest.mark.e2e


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def test_a_read_is_counted_under_its_route_template(client: httpx.AsyncClient, sign_up: SignUp) -> None:
    owner = await sign_up()
    for _ in range(2):
        assert (await client.get(f"/api/v1/users/{owner.id}", headers=owner.headers)).status_code == 200
    assert (await client.get("/no/such/page")).status_code == 404

    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    figures = samples(response.text)
    route = frozenset({("method", "GET"), ("route", "/api/v1/users/{user_id}"), ("status", "200")})
    assert figures["keel_http_requests_total", route] == 2
    assert (
        figures["keel_http_requests_total", frozenset({("method", "GET"), ("route", "unmatched"), ("status", "404")})]
        == 1
    )
    assert owner.id not in response.text  # raw paths never become labels
    # the pool served the requests and holds its connections idle between them
    assert figures["keel_db_pool_connections", frozenset({("state", "checked_out")})] == 0
    assert figures["keel_db_pool_connections", frozenset({("state", "idle")})] >= 1
    # the second read of the user came from Redis
    assert figures["keel_cache_operations_total", frozenset({("result", "hit")})] >= 1
    assert figures["keel_cache_circuit_open", frozenset()] == 0
    # the rate limiter counted every request in Redis
    assert figures["keel_rate_limit_circuit_open", frozenset()] == 0
    assert figures["keel_rate_limit_uncounted_total", frozenset({("outcome", "allowed")})] == 0


async def test_metrics_are_not_in_the_openapi_document(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    assert "/metrics" not in document["paths"]


class TestWithAToken:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        observability = settings.observability.model_copy(update={"metrics_bearer_token": SecretStr("scrape-me")})
        return settings.model_copy(update={"observability": observability})

    async def test_a_configured_token_guards_the_metrics(self, client: httpx.AsyncClient) -> None:
        refused = await client.get("/metrics")
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"] == "Bearer"
        assert "keel_" not in refused.text
        allowed = await client.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
        assert allowed.status_code == 200
        assert "keel_http_requests_total" in allowed.text
