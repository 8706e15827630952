"""Temporal is down while 200 users are created: every request still succeeds (the API only writes the outbox), the
relay keeps every row, backing it off; once Temporal is up, each of the 200 welcome emails is delivered exactly once."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import httpx
import pytest
from welcome_support import outbox_rows, running_worker, with_temporal

from fakes.deliver_email import FakeDeliverEmail
from keel.settings import Settings
from support.api import PASSWORD, SignUp
from support.network import free_port
from support.temporal import start_dev_server
from support.waiting import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

USERS = 200
CONCURRENT_REQUESTS = 10


@pytest.fixture
def temporal_port() -> int:
    return free_port()


@pytest.fixture
def settings(settings: Settings, temporal_port: int) -> Settings:
    return with_temporal(settings, f"127.0.0.1:{temporal_port}")  # nothing listens there yet


@pytest.mark.timeout(300)
async def test_users_created_while_temporal_is_down_each_get_one_welcome_email_once_it_is_up(
    client: httpx.AsyncClient, sign_up: SignUp, settings: Settings, temporal_port: int, tmp_path: Path
) -> None:
    deliver = FakeDeliverEmail()
    async with running_worker(settings, deliver):
        owner = await sign_up()
        slots = asyncio.Semaphore(CONCURRENT_REQUESTS)

        async def create(number: int) -> int:
            async with slots:
                response = await client.post(
                    "/api/v1/users",
                    headers=owner.headers,
                    json={"email": f"user{number}@down.example", "username": f"user{number:03d}", "password": PASSWORD},
                )
                return response.status_code

        statuses = await asyncio.gather(*(create(number) for number in range(USERS)))
        assert Counter(statuses) == {201: USERS}

        ready = (await client.get("/health/ready")).json()
        assert ready["status"] == "warn"
        assert ready["checks"]["temporal"]["status"] == "fail"

        # The relay tried every row and kept it, backed off.
        async def every_row_tried() -> bool:
            return all(row["attempts"] >= 1 for row in await outbox_rows(settings.database.url))

        await wait_until(every_row_tried, within=60, what="the relay tried every row")
        rows = await outbox_rows(settings.database.url)
        assert len(rows) == USERS + 1  # and the owner's
        assert all(row["dispatched_at"] is None and row["last_error"] for row in rows)
        assert deliver.calls == []

        server = await asyncio.to_thread(start_dev_server, tmp_path, temporal_port)
        try:
            async with asyncio.timeout(180):
                await deliver.wait_for_sent(USERS + 1)
        finally:
            await asyncio.to_thread(server.stop)

    rows = await outbox_rows(settings.database.url)
    assert Counter(deliver.calls) == {row["id"]: 1 for row in rows}
    assert all(row["dispatched_at"] is not None for row in rows)
