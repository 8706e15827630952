"""Creating users over HTTP sends each of them one welcome email: API → outbox (same transaction) → relay →
``SendEmail`` workflow on the Temporal dev server → the worker's ``deliver_email`` activity → ``DeliverEmail``."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
import pytest
from welcome_support import outbox_rows, running_worker, with_temporal

from fakes.deliver_email import FakeDeliverEmail
from keel.application.outbox import email_request_from_payload
from keel.settings import Settings
from support.api import PASSWORD, SignUp
from support.temporal import TEMPORAL_GROUP, DevServer

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.xdist_group(TEMPORAL_GROUP)]


@pytest.fixture
def settings(settings: Settings, temporal_dev_server: DevServer) -> Settings:
    return with_temporal(settings, temporal_dev_server.address)


async def test_each_created_user_gets_exactly_one_welcome_email(
    client: httpx.AsyncClient, sign_up: SignUp, settings: Settings
) -> None:
    owner = await sign_up()
    created = [owner.id]
    for number in range(3):
        response = await client.post(
            "/api/v1/users",
            headers=owner.headers,
            json={"email": f"one{number}@welcome.example", "username": f"one{number}", "password": PASSWORD},
        )
        assert response.status_code == 201, response.text
        created.append(response.json()["id"])
    batch = await client.post(
        "/api/v1/users/batch",
        headers=owner.headers,
        json={
            "users": [{"email": f"b{n}@welcome.example", "username": f"b{n}", "password": PASSWORD} for n in range(5)]
        },
    )
    assert batch.status_code == 200, batch.text
    created += [item["user"]["id"] for item in batch.json()["created"]]

    deliver = FakeDeliverEmail()
    async with running_worker(settings, deliver), asyncio.timeout(60):
        await deliver.wait_for_sent(len(created))

    rows = await outbox_rows(settings.database.url)
    requests = [email_request_from_payload(row["payload"]) for row in rows]
    assert sorted(str(request.recipient_user_id) for request in requests) == sorted(created)
    assert Counter(deliver.calls) == {row["id"]: 1 for row in rows}  # each message delivered once, none twice
    assert all(row["dispatched_at"] is not None for row in rows)
