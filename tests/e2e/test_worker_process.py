"""``keel worker`` as a real process: it relays the outbox to Temporal, says when it is ready, survives Temporal being
down, and stops cleanly on SIGTERM — closing its resources in the reverse order of their start."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import create_async_engine
from temporalio.client import Client

from keel.application.email.ports import EmailRequest, EmailTemplate
from keel.application.outbox import send_email_message
from keel.infrastructure.database.models.outbox import outbox_table
from keel.infrastructure.temporal.workflows.email import email_workflow_id
from support.network import free_port
from support.private_worker import keel_worker, scrape, worker_environment
from support.temporal import TEMPORAL_GROUP, DevServer

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _environment(database_url: str, temporal_address: str, **variables: str) -> dict[str, str]:
    """A worker on a task queue of its own, relaying quickly."""
    return worker_environment(
        database_url,
        temporal_address,
        KEEL_TEMPORAL__EMAIL_TASK_QUEUE=f"keel-email-{uuid.uuid4()}",
        KEEL_TEMPORAL__OUTBOX_POLL_INTERVAL_SECONDS="0.1",
        **variables,
    )


def add_welcome_message(database_url: str) -> uuid.UUID:
    request = EmailRequest(
        message_id=uuid.uuid4(), template=EmailTemplate.WELCOME, tenant_id=uuid.uuid4(), recipient_user_id=uuid.uuid4()
    )
    message = send_email_message(request, created_at=datetime.now(UTC))

    async def add() -> None:
        engine = create_async_engine(database_url)
        async with engine.begin() as connection:
            await connection.execute(
                insert(outbox_table).values(
                    id=message.id,
                    kind=message.kind.value,
                    payload=dict(message.payload),
                    tenant_id=message.tenant_id,
                    created_at=message.created_at,
                    available_at=message.created_at,
                )
            )
        await engine.dispose()

    asyncio.run(add())
    return message.id


def is_dispatched(database_url: str, message_id: uuid.UUID) -> bool:
    async def read() -> bool:
        engine = create_async_engine(database_url)
        async with engine.connect() as connection:
            statement = select(outbox_table.c.dispatched_at).where(outbox_table.c.id == message_id)
            dispatched_at = (await connection.execute(statement)).scalar_one()
        await engine.dispose()
        return dispatched_at is not None

    return asyncio.run(read())


def workflow_status(address: str, workflow_id: str) -> str:
    async def describe() -> str:
        client = await Client.connect(address)
        description = await client.get_workflow_handle(workflow_id).describe()
        return description.status.name if description.status is not None else "UNKNOWN"

    return asyncio.run(describe())


@pytest.mark.xdist_group(TEMPORAL_GROUP)
def test_the_worker_relays_the_outbox_and_stops_cleanly_on_sigterm(
    clean_database: str, temporal_dev_server: DevServer, tmp_path: Path
) -> None:
    message_id = add_welcome_message(clean_database)

    with keel_worker(_environment(clean_database, temporal_dev_server.address), tmp_path) as worker:
        worker.wait_for(worker.ready_file.exists, "the ready file")
        worker.wait_for(lambda: is_dispatched(clean_database, message_id), "the dispatch of the outbox row")
        # The message names a user that does not exist: the worker's delivery records it failed, for good, and the
        # workflow completes with that outcome instead of retrying.
        worker.wait_for(
            lambda: workflow_status(temporal_dev_server.address, email_workflow_id(message_id)) == "COMPLETED",
            "the email workflow's completion",
        )

        assert worker.stop() == 0, worker.log.read_text()

    assert not worker.ready_file.exists()
    events = worker.events()
    for expected in ("worker.ready", "worker.stopping", "outbox.relay.stopped"):
        assert expected in events, events
    # Resources close after the relay and the workers stopped, in the reverse order of their start.
    assert events.index("outbox.relay.stopped") < events.index("temporal.client.stopped")
    assert events.index("temporal.client.stopped") < events.index("database.engine.stopped")
    assert events[-1] == "worker.stopped"


def test_the_worker_waits_for_temporal_without_being_ready_and_still_stops_on_sigterm(
    database_url: str, tmp_path: Path
) -> None:
    with keel_worker(_environment(database_url, "127.0.0.1:1"), tmp_path) as worker:
        worker.wait_for(lambda: worker.events().count("worker.temporal_unavailable") >= 2, "a second connection try")
        assert not worker.ready_file.exists()

        assert worker.stop() == 0, worker.log.read_text()

    events = worker.events()
    assert "worker.ready" not in events
    assert events.index("outbox.relay.stopped") < events.index("database.engine.stopped")
    assert events[-1] == "worker.stopped"


def test_the_worker_serves_its_metrics_outbox_lag_included_while_temporal_is_down(
    database_url: str, tmp_path: Path
) -> None:
    port = free_port()
    message_id = add_welcome_message(database_url)
    env = _environment(database_url, "127.0.0.1:1", KEEL_OBSERVABILITY__WORKER_METRICS_PORT=str(port))
    try:
        with keel_worker(env, tmp_path) as worker:
            worker.wait_for(lambda: "metrics.server.started" in worker.events(), "the metrics endpoint")
            worker.wait_for(lambda: "outbox.dispatch_failed" in worker.events(), "a failed dispatch")
            figures = scrape(port)
            assert worker.stop() == 0, worker.log.read_text()
    finally:
        asyncio.run(_delete_outbox_row(database_url, message_id))

    assert figures["keel_outbox_pending", frozenset()] >= 1
    assert figures["keel_outbox_lag_seconds", frozenset()] > 0
    assert figures["keel_workflow_failures_total", frozenset({("workflow", "SendEmail")})] >= 1
    assert figures["keel_db_pool_connections", frozenset({("state", "checked_out")})] >= 0


async def _delete_outbox_row(database_url: str, message_id: uuid.UUID) -> None:
    engine = create_async_engine(database_url)
    async with engine.begin() as connection:
        await connection.execute(delete(outbox_table).where(outbox_table.c.id == message_id))
    await engine.dispose()
