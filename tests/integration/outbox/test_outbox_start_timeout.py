"""A workflow start is bounded: when Temporal stops answering a connected client, the relay does not wait out the
SDK's retries with its claimed rows locked — the start is cut at ``outbox_start_timeout_seconds`` and the row is
deferred with the backoff, still undispatched."""

from __future__ import annotations

from pathlib import Path

from outbox_support import AddMessages, outbox_rows, welcome_messages
from sqlalchemy.ext.asyncio import AsyncEngine

from fakes.clock import FakeClock
from keel.infrastructure.outbox import Backoff, OutboxRelay, RelayPass, SqlAlchemyOutboxStore
from keel.infrastructure.temporal.client import TemporalConnector
from keel.infrastructure.temporal.dispatcher import TemporalOutboxDispatcher
from keel.settings import TemporalSettings
from support.temporal import start_dev_server

START_TIMEOUT_SECONDS = 0.5


async def test_a_start_temporal_no_longer_answers_is_cut_at_the_timeout_and_the_row_deferred(
    add_messages: AddMessages, store: SqlAlchemyOutboxStore, clock: FakeClock, engine: AsyncEngine, tmp_path: Path
) -> None:
    server = start_dev_server(tmp_path)
    try:
        connector = TemporalConnector(TemporalSettings(address=server.address, connect_timeout_seconds=2.0))
        await connector.client()  # connected while the server answers
    finally:
        server.stop()
    dispatcher = TemporalOutboxDispatcher(
        connector, email_task_queue="keel-email-test", start_timeout=START_TIMEOUT_SECONDS
    )
    messages = await add_messages(welcome_messages(3, created_at=clock.now()))

    relay = OutboxRelay(
        store,
        dispatcher,
        clock,
        batch_size=10,
        poll_interval_seconds=0.01,
        backoff=Backoff.of_seconds(1, 8),
        lag_log_interval_seconds=60,
    )
    assert await relay.run_once() == RelayPass(claimed=3, dispatched=0, deferred=3)

    rows = await outbox_rows(engine)
    assert sorted(row["id"] for row in rows) == sorted(message.id for message in messages)
    assert {(row["attempts"], row["dispatched_at"]) for row in rows} == {(1, None)}
    assert {row["last_error"] for row in rows} == {
        f"TemporalUnavailable: Temporal did not answer the start of SendEmail within {START_TIMEOUT_SECONDS:g} s"
    }
