"""CORS follows the allowlist in settings; preflights carry the request id like every response."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from keel.presentation.api.app import create_app
from keel.settings import Settings

pytestmark = pytest.mark.e2e


@pytest.fixture
async def cors_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    api = settings.api.model_copy(update={"cors_origins": ["https://app.example"], "cors_allow_credentials": True})
    app = create_app(settings.model_copy(update={"api": api}))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://keel.test") as client,
    ):
        yield client


async def test_an_allowed_origin_gets_the_cors_headers(cors_client: httpx.AsyncClient) -> None:
    response = await cors_client.get("/api/v1/meta", headers={"Origin": "https://app.example"})
    assert response.headers["access-control-allow-origin"] == "https://app.example"
    assert response.headers["access-control-allow-credentials"] == "true"
    assert "x-request-id" in response.headers["access-control-expose-headers"].lower()


async def test_a_preflight_is_answered_with_a_request_id(cors_client: httpx.AsyncClient) -> None:
    response = await cors_client.options(
        "/api/v1/meta",
        headers={"Origin": "https://app.example", "Access-Control-Request-Method": "GET"},
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "https://app.example"
    assert len(response.headers["x-request-id"]) == 32


async def test_another_origin_gets_no_cors_headers(cors_client: httpx.AsyncClient) -> None:
    response = await cors_client.get("/api/v1/meta", headers={"Origin": "https://evil.example"})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


async def test_without_an_allowlist_there_is_no_cors(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/meta", headers={"Origin": "https://app.example"})
    assert "access-control-allow-origin" not in response.headers
