"""Every response carries a request id: the caller's when well formed, a fresh one otherwise."""

from __future__ import annotations

import httpx
import pytest
import structlog
from fastapi import APIRouter, FastAPI

pytestmark = pytest.mark.e2e


@pytest.fixture
def app(app: FastAPI) -> FastAPI:
    router = APIRouter()

    @router.get("/api/v1/_probe/log")
    async def log_something() -> dict[str, str]:
        structlog.get_logger("probe").warning("probe.logged", detail="inside the handler")
        return {"ok": "yes"}

    app.include_router(router)
    return app


async def test_a_well_formed_id_is_echoed(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/live", headers={"X-Request-ID": "edge-4f2a:1"})
    assert response.headers["x-request-id"] == "edge-4f2a:1"


@pytest.mark.parametrize("incoming", ["has spaces", "x" * 200, 'quote"d'])
async def test_a_malformed_id_is_replaced(client: httpx.AsyncClient, incoming: str) -> None:
    response = await client.get("/health/live", headers={"X-Request-ID": incoming})
    generated = response.headers["x-request-id"]
    assert generated != incoming
    assert len(generated) == 32


async def test_without_an_id_each_request_gets_its_own(client: httpx.AsyncClient) -> None:
    first = await client.get("/health/live")
    second = await client.get("/health/live")
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


async def test_the_id_is_in_every_log_line_of_the_request(
    client: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    await client.get("/api/v1/_probe/log", headers={"X-Request-ID": "trace-me-1"})
    lines = [line for line in capsys.readouterr().err.splitlines() if "probe.logged" in line]
    assert len(lines) == 1
    assert "request_id=trace-me-1" in lines[0]


async def test_the_id_does_not_leak_into_the_next_request(
    client: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    await client.get("/api/v1/_probe/log", headers={"X-Request-ID": "first-one"})
    capsys.readouterr()
    await client.get("/api/v1/_probe/log", headers={"X-Request-ID": "second-one"})
    err = capsys.readouterr().err
    assert "first-one" not in err
    assert "second-one" in err
