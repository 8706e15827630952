"""The whole path with nothing faked: a user created over HTTP gets their welcome email at a real SMTP server —
API → outbox (same transaction) → relay → ``SendEmail`` workflow on the Temporal dev server → the worker's activity →
``DeliverEmailUseCase`` → Jinja2 → aiosmtplib → aiosmtpd — and the delivery is recorded as sent."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine
from welcome_support import outbox_rows, with_temporal

from keel.container import build_container
from keel.infrastructure.database.models.email_deliveries import email_deliveries_table
from keel.presentation.worker import serve_worker
from keel.settings import Settings
from support.api import PASSWORD, SignUp
from support.smtp import SmtpServer, links_in
from support.temporal import TEMPORAL_GROUP, DevServer
from support.waiting import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.xdist_group(TEMPORAL_GROUP)]


@pytest.fixture
def settings(settings: Settings, temporal_dev_server: DevServer, smtp_server: SmtpServer) -> Settings:
    email = settings.email.model_copy(
        update={
            "smtp_host": smtp_server.host,
            "smtp_port": smtp_server.port,
            "public_base_url": "https://app.keel.example",
        }
    )
    return with_temporal(settings, temporal_dev_server.address).model_copy(update={"email": email})


def _received(smtp_server: SmtpServer, count: int) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return len(smtp_server.received) >= count

    return check


async def test_a_user_created_over_http_receives_one_welcome_email(
    client: httpx.AsyncClient, sign_up: SignUp, settings: Settings, smtp_server: SmtpServer
) -> None:
    owner = await sign_up()
    created = await client.post(
        "/api/v1/users",
        headers=owner.headers,
        json={
            "email": "ada@welcome.example",
            "username": "ada",
            "full_name": "Ada <b>Lovelace</b>",
            "password": PASSWORD,
        },
    )
    assert created.status_code == 201, created.text

    container = build_container(settings)
    stop, ready = asyncio.Event(), asyncio.Event()
    worker = asyncio.create_task(serve_worker(container, stop, ready=ready.set))
    try:
        await wait_until(_received(smtp_server, 2), within=60, what="the owner's and Ada's welcome emails")
        await asyncio.sleep(0.5)  # time for a duplicate to arrive, were one sent
    finally:
        stop.set()
        await asyncio.wait_for(worker, 60)

    mails = {mail.envelope_to[0]: mail for mail in smtp_server.received}
    assert len(smtp_server.received) == 2
    assert set(mails) == {owner.user["email"], "ada@welcome.example"}
    ada = mails["ada@welcome.example"].message
    assert ada["To"] == "ada@welcome.example"
    assert ada["Subject"]
    assert "Ada &lt;b&gt;Lovelace&lt;/b&gt;" in mails["ada@welcome.example"].part("html")  # escaped in HTML
    assert "Ada <b>Lovelace</b>" in mails["ada@welcome.example"].part("plain")
    assert all(
        link.startswith("https://app.keel.example/") for link in links_in(mails["ada@welcome.example"].part("html"))
    )

    rows = await outbox_rows(settings.database.url)
    engine = create_async_engine(settings.database.url)
    try:
        async with engine.connect() as connection:
            deliveries = (await connection.execute(select(email_deliveries_table))).mappings().all()
    finally:
        await engine.dispose()
    assert {row["id"] for row in rows} == {delivery["message_id"] for delivery in deliveries}
    assert {delivery["status"] for delivery in deliveries} == {"sent"}
    assert {delivery["provider_message_id"] for delivery in deliveries} == {
        mail.message["Message-ID"] for mail in smtp_server.received
    }
