"""Scenario 5 — the SMTP server answers 4xx for a while, then recovers; or refuses with 5xx.

A real ``keel worker`` process delivers welcome emails through a private Temporal dev server to a real SMTP server
(aiosmtpd) scripted to fail:

* **4xx, then recovery.** Every message is deferred (``451``) until each of them has been tried once; then the server
  accepts again. The ``SendEmail`` workflows retry on their backoff and each email arrives exactly once: as many
  messages as users, as many distinct ``Message-ID``, every delivery ``sent`` after two attempts or more.
* **5xx.** Every message is refused (``550``): each delivery is recorded ``failed`` with the server's answer after
  one attempt, its workflow completes — the message is not retried, then or later.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from temporalio.client import Client

from keel.infrastructure.temporal.workflows.email import email_workflow_id
from keel.settings import Settings
from support.api import SignUp
from support.private_flows import create_users, deliveries, fetch, flow_settings
from support.private_temporal import PrivateTemporal, running_private_temporal
from support.private_worker import WorkerRun, environment_of, keel_worker
from support.resilience import Figures, RecordFigures
from support.smtp import SmtpServer
from support.waiting import wait_until

pytestmark = pytest.mark.resilience

USERS = 20
DEFERRED = "451 4.3.0 Try again later"
REFUSED = "550 5.7.1 Message refused"
SETTLE_SECONDS = 1.0
"""Waited after the last expected message, for a duplicate or a retry to show up were one sent."""


@pytest.fixture
def temporal(tmp_path: Path) -> Iterator[PrivateTemporal]:
    with running_private_temporal(tmp_path / "temporal", persistent=False) as server:  # only SMTP fails
        yield server


@pytest.fixture
def settings(settings: Settings, temporal: PrivateTemporal, smtp_server: SmtpServer) -> Settings:
    return flow_settings(settings, temporal_address=temporal.address, smtp=smtp_server)


@pytest.fixture
async def worker(settings: Settings, tmp_path: Path) -> AsyncIterator[WorkerRun]:
    with keel_worker(environment_of(settings), tmp_path) as worker:
        await worker.ready()
        yield worker


async def _records(settings: Settings, count: int, status: str) -> list[dict[str, Any]] | None:
    """The delivery records, once there are ``count`` of them, all with ``status``."""
    records = await fetch(settings.database.url, deliveries())
    return records if len(records) == count and {record["status"] for record in records} == {status} else None


@pytest.mark.timeout(300)
async def test_smtp_deferring_every_message_for_a_while_then_recovering_delivers_each_email_once(  # noqa: PLR0917
    client: httpx.AsyncClient,
    sign_up: SignUp,
    settings: Settings,
    smtp_server: SmtpServer,
    worker: WorkerRun,
    resilience_figures: RecordFigures,
) -> None:
    smtp_server.responder.fail_always(DEFERRED)
    owner = await sign_up()
    emails = [f"user{number:02d}@deferred.example" for number in range(USERS)]
    statuses = await create_users(client, owner, emails)
    assert statuses == {201: USERS}
    expected = 1 + USERS  # the owner's welcome email too

    async def each_tried_and_deferred() -> bool:
        records = await _records(settings, expected, "queued")
        return records is not None and all(record["attempts"] >= 1 and record["last_error"] for record in records)

    await wait_until(each_tried_and_deferred, within=60, what="every message tried and deferred")
    assert smtp_server.received == []
    deferred = len(smtp_server.responder.rejected)
    assert deferred >= expected

    smtp_server.responder.accept_again()
    recovered_at = time.monotonic()

    async def received(at_least: int) -> bool:
        return len(smtp_server.received) >= at_least

    await wait_until(lambda: received(1), within=60, what="a first email once the server recovered")
    recovery_seconds = time.monotonic() - recovered_at
    await wait_until(lambda: received(expected), within=90, what="every email")

    async def all_sent() -> bool:
        return await _records(settings, expected, "sent") is not None

    await wait_until(all_sent, within=30, what="every delivery recorded sent")
    await asyncio.sleep(SETTLE_SECONDS)

    message_ids = {mail.message["Message-ID"] for mail in smtp_server.received}
    assert len(smtp_server.received) == expected
    assert len(message_ids) == expected
    assert sorted(mail.envelope_to[0] for mail in smtp_server.received) == sorted([owner.user["email"], *emails])
    records = await fetch(settings.database.url, deliveries())
    assert {record["provider_message_id"] for record in records} == message_ids
    assert min(record["attempts"] for record in records) >= 2
    assert worker.process.poll() is None

    resilience_figures(
        Figures(
            scenario="5a. SMTP deferring (451) for a while, then recovering",
            sent=expected,
            ok=len(smtp_server.received),
            lost=expected - len(message_ids),
            recovery_seconds=recovery_seconds,
            notes=f"{deferred} deferrals answered; {len(message_ids)} distinct Message-IDs; attempts per email "
            f"{min(r['attempts'] for r in records)}–{max(r['attempts'] for r in records)} (retry backoff from 10 s)",
        )
    )


@pytest.mark.timeout(300)
async def test_smtp_refusing_every_message_marks_each_delivery_failed_after_one_attempt(  # noqa: PLR0917
    client: httpx.AsyncClient,
    sign_up: SignUp,
    settings: Settings,
    smtp_server: SmtpServer,
    worker: WorkerRun,
    resilience_figures: RecordFigures,
) -> None:
    smtp_server.responder.fail_always(REFUSED)
    owner = await sign_up()
    emails = [f"user{number:02d}@refused.example" for number in range(USERS)]
    statuses = await create_users(client, owner, emails)
    assert statuses == {201: USERS}
    expected = 1 + USERS

    async def all_failed() -> bool:
        return await _records(settings, expected, "failed") is not None

    await wait_until(all_failed, within=60, what="every delivery recorded failed")
    temporal = await Client.connect(settings.temporal.address)
    records = await fetch(settings.database.url, deliveries())

    async def workflows_completed() -> bool:
        statuses = [
            (await temporal.get_workflow_handle(email_workflow_id(record["message_id"])).describe()).status
            for record in records
        ]
        return all(status is not None and status.name == "COMPLETED" for status in statuses)

    await wait_until(workflows_completed, within=30, what="every email workflow completed")
    await asyncio.sleep(SETTLE_SECONDS)

    assert smtp_server.received == []
    assert len(smtp_server.responder.rejected) == expected  # one attempt each, none retried
    assert smtp_server.responder.data_commands == expected
    assert {record["attempts"] for record in records} == {1}
    assert all(REFUSED in record["last_error"] for record in records)
    assert {record["provider_message_id"] for record in records} == {None}
    assert worker.process.poll() is None

    resilience_figures(
        Figures(
            scenario="5b. SMTP refusing (550)",
            sent=expected,
            ok=0,
            client_errors=expected,
            notes=f"{expected} deliveries failed after 1 attempt each, last_error '{REFUSED}'; workflows completed",
        )
    )
