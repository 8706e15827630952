"""Scenario 3 — Temporal goes away under a running worker while 200 users are created, then comes back.

A private Temporal dev server (its state in a SQLite file) serves a real ``keel worker`` process; the app runs in the
test. 200 users are created over HTTP, 10 at a time; after the first 50 — their welcome emails under way — Temporal is
stopped (SIGTERM) while the other 150 are created. Every request still succeeds (the API only writes the outbox), and
the worker's metrics show the backlog — as many pending rows as the outbox table holds undispatched, and a growing
age. Temporal is then started again on the same port and
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
BEFORE_STOP = 50
"""Users created while Temporal is up; the stop begins then, and the other 150 are created while it goes down."""
LAG_GROWTH_SECONDS = 1.0
"""Between two scrapes of the worker's metrics while Temporal is down: the lag they show grows."""
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


@pytest.mark.timeout(420)
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
        await worker.ready()
        owner = await sign_up()
        await wait_until(lambda: received(1), within=60, what="the owner's welcome email, Temporal up")

        first = await create_users(client, owner, emails[:BEFORE_STOP])  # Temporal up: emails flowing
        stopping = asyncio.create_task(asyncio.to_thread(temporal.stop))
        rest = await create_users(client, owner, emails[BEFORE_STOP:])  # Temporal stopping, then down
        await stopping
        statuses = first + rest
        assert statuses == {201: USERS}

        async def every_row_tried() -> bool:
            rows = await fetch(database_url, undispatched())
            return bool(rows) and all(row["attempts"] >= 1 and row["last_error"] for row in rows)

        await wait_until(every_row_tried, within=60, what="the relay tried every row while Temporal is down")
        earlier = await asyncio.to_thread(scrape, metrics_port)
        await asyncio.sleep(LAG_GROWTH_SECONDS)
        during = await asyncio.to_thread(scrape, metrics_port)
        pending = await count(database_url, count_undispatched())
        assert during[PENDING] == earlier[PENDING] == pending > 0
        assert during[LAG] > earlier[LAG] > 0  # the backlog ages while Temporal is away
        delivered_before = len(smtp_server.received)
        assert delivered_before < 1 + USERS

        await asyncio.to_thread(temporal.start)
        back = time.monotonic()
        await wait_until(lambda: received(delivered_before + 1), within=60, what="an email once Temporal is back")
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
            notes=f"stopped after {BEFORE_STOP} users; backlog {pending} rows, oldest {during[LAG]:.1f} s; "
            f"{delivered_before - 1} emails before the restart, {len(welcome)} in all, "
            f"{len(message_ids)} distinct Message-IDs",
        )
    )
