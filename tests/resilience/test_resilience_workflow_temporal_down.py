"""Scenario 3 — Temporal goes away under a running worker while 200 users are created, then comes back.

A private Temporal dev server (its state in a SQLite file) serves a real ``keel worker`` process; the app runs in the
test. Once the first welcome email went through, Temporal is stopped and 200 users are created over HTTP: every
request still succeeds (the API only writes the outbox), and the worker's metrics show the backlog — as many pending
rows as the outbox table holds undispatched, and a growing age. Temporal is then started again on the same port and
file, and the same worker process, never restarted, delivers each welcome email exactly once: 200 messages with 200
distinct ``Message-ID`` at the SMTP server, every delivery recorded ``sent``, the outbox drained.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from keel.settings import Settings
from support.api import SignUp
from support.network import free_port
from support.private_flows import (
    count,
    count_undispatched,
    create_users,
    deliveries,
    fetch,
    flow_settings,
    undispatched,
)
from support.private_temporal import PrivateTemporal, running_private_temporal
from support.private_worker import environment_of, keel_worker, scrape
from support.resilience import Figures, RecordFigures
from support.smtp import SmtpServer
from support.waiting import wait_until

pytestmark = pytest.mark.resilience

USERS = 200
NO_LABELS: frozenset[tuple[str, str]] = frozenset()
PENDING = ("keel_outbox_pending", NO_LABELS)
LAG = ("keel_outbox_lag_seconds", NO_LABELS)


@pytest.fixture
def temporal(tmp_path: Path) -> Iterator[PrivateTemporal]:
    with running_private_temporal(tmp_path / "temporal") as server:
        yield server


@pytest.fixture
def settings(settings: Settings, temporal: PrivateTemporal, smtp_server: SmtpServer) -> Settings:
    return flow_settings(settings, temporal_address=temporal.address, smtp=smtp_server)


@pytest.mark.timeout(300)
async def test_temporal_stopped_while_users_are_created_each_welcome_email_arrives_once_after_it_returns(  # noqa: PLR0917 - fixtures
    client: httpx.AsyncClient,
    sign_up: SignUp,
    settings: Settings,
    temporal: PrivateTemporal,
    smtp_server: SmtpServer,
    tmp_path: Path,
    resilience_figures: RecordFigures,
) -> None:
    database_url = settings.database.url
    metrics_port = free_port()
    emails = [f"user{number:03d}@down.example" for number in range(USERS)]

    async def received(at_least: int) -> bool:
        return len(smtp_server.received) >= at_least

    with keel_worker(environment_of(settings, metrics_port=metrics_port), tmp_path) as worker:
        await worker.until(worker.ready_file.exists, "the worker's readiness")
        owner = await sign_up()
        await wait_until(lambda: received(1), within=60, what="the owner's welcome email, Temporal up")

        await asyncio.to_thread(temporal.stop)
        statuses = await create_users(client, owner, emails)
        assert statuses == {201: USERS}

        async def every_row_tried() -> bool:
            rows = await fetch(database_url, undispatched())
            return len(rows) == USERS and all(row["attempts"] >= 1 for row in rows)

        await wait_until(every_row_tried, within=60, what="the relay tried every row while Temporal is down")
        during = await asyncio.to_thread(scrape, metrics_port)
        assert during[PENDING] == USERS == await count(database_url, count_undispatched())
        assert during[LAG] > 0
        assert len(smtp_server.received) == 1

        await asyncio.to_thread(temporal.start)
        back = time.monotonic()
        await wait_until(lambda: received(2), within=60, what="a first email once Temporal is back")
        recovery_seconds = time.monotonic() - back
        await wait_until(lambda: received(1 + USERS), within=180, what="every welcome email")

        async def settled() -> bool:
            records = await fetch(database_url, deliveries())
            return len(records) == 1 + USERS and {record["status"] for record in records} == {"sent"}

        await wait_until(settled, within=60, what="every delivery recorded sent")
        await asyncio.sleep(1.0)  # room for a duplicate to arrive, were one sent
        after = await asyncio.to_thread(scrape, metrics_port)
        assert worker.process.poll() is None, "the worker survived Temporal's absence without a restart"

    welcome = [mail for mail in smtp_server.received if mail.envelope_to[0] in set(emails)]
    message_ids = Counter(mail.message["Message-ID"] for mail in welcome)
    assert len(welcome) == USERS
    assert len(message_ids) == USERS
    assert sorted(mail.envelope_to[0] for mail in welcome) == emails
    assert len(smtp_server.received) == 1 + USERS  # the owner's, once, and nothing else
    assert await fetch(database_url, undispatched()) == []
    assert after[PENDING] == 0
    records = await fetch(database_url, deliveries())
    assert {record["provider_message_id"] for record in records} == {
        mail.message["Message-ID"] for mail in smtp_server.received
    }

    resilience_figures(
        Figures(
            scenario="3. Temporal stopped while users are created",
            sent=USERS,
            ok=statuses[201],
            client_errors=sum(n for status, n in statuses.items() if 400 <= status < 500),
            server_errors=sum(n for status, n in statuses.items() if status >= 500),
            lost=USERS - len(message_ids),
            recovery_seconds=recovery_seconds,
            notes=f"outbox backlog {during[PENDING]:.0f} rows, oldest {during[LAG]:.1f} s; "
            f"{len(welcome)} emails, {len(message_ids)} distinct Message-IDs",
        )
    )
