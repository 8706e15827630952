"""The N+1 detector counts the SQL statements of each request on a real engine and warns above its threshold."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from keel.infrastructure.database.statement_counter import NPlusOneDetector, statement_counting_resource

pytestmark = pytest.mark.integration

THRESHOLD = 5


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(database_url)
    counting = statement_counting_resource(engine)
    await anext(counting)
    yield engine
    await counting.aclose()
    await engine.dispose()


@pytest.fixture
def client(engine: AsyncEngine) -> httpx.AsyncClient:
    async def select_n(request: Request) -> PlainTextResponse:
        async with engine.connect() as connection:
            for number in range(int(request.path_params["n"])):
                await connection.execute(text("SELECT CAST(:n AS integer)"), {"n": number})
        return PlainTextResponse("done")

    app = NPlusOneDetector(Starlette(routes=[Route("/select/{n:int}", select_n)]), threshold=THRESHOLD)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://n-plus-one.test")


async def test_a_request_above_the_threshold_logs_a_warning_with_its_statement_count(client: httpx.AsyncClient) -> None:
    with structlog.testing.capture_logs() as logs:
        assert (await client.get("/select/12")).status_code == 200
    [warning] = [line for line in logs if line["event"] == "db.n_plus_one"]
    assert warning["log_level"] == "warning"
    assert warning["statements"] == 12
    assert warning["threshold"] == THRESHOLD
    assert warning["route"] == "/select/{n}"  # the template, converters left out
    assert warning["method"] == "GET"


async def test_requests_at_or_below_the_threshold_log_nothing(client: httpx.AsyncClient) -> None:
    with structlog.testing.capture_logs() as logs:
        for n in (0, 1, THRESHOLD):
            assert (await client.get(f"/select/{n}")).status_code == 200
    assert [line for line in logs if line["event"] == "db.n_plus_one"] == []


async def test_statements_outside_a_request_are_not_counted(engine: AsyncEngine, client: httpx.AsyncClient) -> None:
    with structlog.testing.capture_logs() as logs:
        async with engine.connect() as connection:
            for _ in range(THRESHOLD * 3):
                await connection.execute(text("SELECT 1"))
        assert (await client.get("/select/1")).status_code == 200  # its own count starts at zero
    assert [line for line in logs if line["event"] == "db.n_plus_one"] == []


async def test_concurrent_requests_are_counted_apart(client: httpx.AsyncClient) -> None:
    with structlog.testing.capture_logs() as logs:
        await asyncio.gather(*(client.get(f"/select/{n}") for n in (THRESHOLD, THRESHOLD + 2, 1, THRESHOLD + 4)))
    counts = sorted(line["statements"] for line in logs if line["event"] == "db.n_plus_one")
    assert counts == [THRESHOLD + 2, THRESHOLD + 4]
