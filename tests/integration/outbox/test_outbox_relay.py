"""The relay on PostgreSQL and Temporal: rows are backed off while Temporal is unreachable and never lost; concurrent
relays never dispatch a row twice; a second start of a row's workflow is a no-op; its lag is measurable."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from outbox_support import AddMessages, CountingDispatcher, outbox_rows, welcome_messages
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client

from fakes.clock import FakeClock
from keel.infrastructure.database.models.outbox import outbox_table
from keel.infrastructure.outbox import (
    Backoff,
    OutboxDispatcher,
    OutboxRelay,
    PendingMessage,
    RelayPass,
    SqlAlchemyOutboxStore,
)
from keel.infrastructure.temporal.client import TemporalConnector
from keel.infrastructure.temporal.dispatcher import TemporalOutboxDispatcher
from keel.infrastructure.temporal.workflows.email import email_workflow_id
from keel.settings import TemporalSettings
from support.temporal import TEMPORAL_GROUP, DevServer
from support.waiting import wait_until

pytestmark = pytest.mark.integration

UNREACHABLE = "127.0.0.1:1"  # nothing listens on port 1: every connection is refused at once


def dispatcher_to(address: str, task_queue: str = "keel-email-test") -> TemporalOutboxDispatcher:
    connector = TemporalConnector(TemporalSettings(address=address, connect_timeout_seconds=2.0))
    return TemporalOutboxDispatcher(connector, email_task_queue=task_queue)


def relay(
    store: SqlAlchemyOutboxStore,
    dispatcher: OutboxDispatcher,
    clock: FakeClock,
    *,
    batch_size: int = 100,
    backoff: Backoff | None = None,
) -> OutboxRelay:
    return OutboxRelay(
        store,
        dispatcher,
        clock,
        batch_size=batch_size,
        poll_interval_seconds=0.01,
        backoff=backoff or Backoff.of_seconds(1, 8),
        lag_log_interval_seconds=60,
    )


async def test_unreachable_temporal_backs_rows_off_exponentially_up_to_the_cap_and_keeps_them(
    add_messages: AddMessages, store: SqlAlchemyOutboxStore, clock: FakeClock, engine: AsyncEngine
) -> None:
    created = clock.now()
    messages = await add_messages(welcome_messages(3, created_at=created))
    outbox_relay = relay(store, dispatcher_to(UNREACHABLE), clock)

    delays: list[float] = []
    for attempt in range(1, 7):
        assert await outbox_relay.run_once() == RelayPass(claimed=3, dispatched=0, deferred=3)
        assert await outbox_relay.run_once() == RelayPass(claimed=0, dispatched=0, deferred=0)  # backed off
        rows = await outbox_rows(engine)
        assert {row["attempts"] for row in rows} == {attempt}
        assert {row["dispatched_at"] for row in rows} == {None}
        [available_at] = {row["available_at"] for row in rows}
        delays.append((available_at - clock.now()).total_seconds())
        clock.current = available_at

    assert delays == [1, 2, 4, 8, 8, 8]
    assert {row["id"] for row in rows} == {message.id for message in messages}
    [last_error] = {row["last_error"] for row in rows}
    assert last_error.startswith("TemporalUnavailable: cannot connect to Temporal at 127.0.0.1:1")
    lag = await outbox_relay.lag()
    assert lag.pending == 3
    assert lag.oldest_age_seconds(clock.now()) == (clock.now() - created).total_seconds() == sum(delays[:-1]) + 8


async def test_lag_counts_undispatched_rows_and_ages_the_oldest(
    add_messages: AddMessages, store: SqlAlchemyOutboxStore, clock: FakeClock
) -> None:
    empty = await store.lag()
    assert (empty.pending, empty.oldest_age_seconds(clock.now())) == (0, 0.0)

    oldest = clock.now()
    await add_messages(welcome_messages(2, created_at=oldest))
    await add_messages(welcome_messages(5, created_at=oldest + timedelta(seconds=30)))
    clock.advance(seconds=90)

    lag = await store.lag()
    assert lag.pending == 7
    assert lag.oldest_age_seconds(clock.now()) == 90.0


async def test_the_loop_keeps_going_through_failures_and_stops_when_asked(
    add_messages: AddMessages, store: SqlAlchemyOutboxStore, clock: FakeClock, engine: AsyncEngine
) -> None:
    await add_messages(welcome_messages(4, created_at=clock.now()))
    stop = asyncio.Event()
    loop = asyncio.create_task(relay(store, dispatcher_to(UNREACHABLE), clock, batch_size=1).run(stop))

    async def each_row_tried_once() -> bool:
        return {row["attempts"] for row in await outbox_rows(engine)} == {1}

    await wait_until(each_row_tried_once, within=30, what="each row tried once, one row per pass")
    stop.set()
    await asyncio.wait_for(loop, timeout=10)

    assert {row["dispatched_at"] for row in await outbox_rows(engine)} == {None}


# --- with a Temporal dev server --------------------------------------------------------------------------------------


async def _workflow_count(client: Client, query: str, expected: int) -> int:
    """The visibility count for ``query`` once it reaches ``expected`` (visibility lags a moment behind starts)."""

    async def reached() -> bool:
        return (await client.count_workflows(query)).count >= expected

    await wait_until(reached, within=30, what=f"{expected} workflow(s) matching {query}")
    await asyncio.sleep(0.5)  # a count that would grow past ``expected`` gets the time to show it
    return (await client.count_workflows(query)).count


@pytest.mark.slow
@pytest.mark.xdist_group(TEMPORAL_GROUP)
async def test_concurrent_relays_never_dispatch_a_row_twice(
    add_messages: AddMessages,
    store: SqlAlchemyOutboxStore,
    clock: FakeClock,
    engine: AsyncEngine,
    temporal_dev_server: DevServer,
) -> None:
    task_queue = f"email-{uuid.uuid4()}"
    messages = await add_messages(welcome_messages(300, created_at=clock.now()))
    first = CountingDispatcher(dispatcher_to(temporal_dev_server.address, task_queue))
    second = CountingDispatcher(dispatcher_to(temporal_dev_server.address, task_queue))

    async def drain(outbox_relay: OutboxRelay) -> None:
        while (await outbox_relay.run_once()).claimed:
            pass

    await asyncio.gather(
        drain(relay(store, first, clock, batch_size=20)), drain(relay(store, second, clock, batch_size=20))
    )

    assert first.asked  # both relays took rows, side by side
    assert second.asked
    assert set(first.asked).isdisjoint(second.asked)
    assert sorted(first.asked + second.asked) == sorted(message.id for message in messages)
    rows = await outbox_rows(engine)
    assert {row["attempts"] for row in rows} == {1}
    assert None not in {row["dispatched_at"] for row in rows}
    client = await Client.connect(temporal_dev_server.address)
    assert await _workflow_count(client, f"TaskQueue = '{task_queue}'", 300) == 300


@pytest.mark.xdist_group(TEMPORAL_GROUP)
async def test_a_row_dispatched_again_starts_no_second_workflow(
    add_messages: AddMessages,
    store: SqlAlchemyOutboxStore,
    clock: FakeClock,
    engine: AsyncEngine,
    temporal_dev_server: DevServer,
) -> None:
    class Crash(Exception):
        pass

    task_queue = f"email-{uuid.uuid4()}"
    [message] = await add_messages(welcome_messages(1, created_at=clock.now()))
    dispatcher = dispatcher_to(temporal_dev_server.address, task_queue)

    async def dispatch_then_die() -> None:
        async with store.claim(10, clock.now()) as batch:
            assert await dispatcher.dispatch(batch.messages) == [None]
            raise Crash

    # The workflow starts, then the relay dies before its commit: the row is still undispatched.
    with pytest.raises(Crash):
        await dispatch_then_die()
    assert [(row["attempts"], row["dispatched_at"]) for row in await outbox_rows(engine)] == [(0, None)]

    # The next pass starts it again — the running workflow answers — and marks it.
    assert await relay(store, dispatcher, clock).run_once() == RelayPass(claimed=1, dispatched=1, deferred=0)
    client = await Client.connect(temporal_dev_server.address)
    workflow_id = email_workflow_id(message.id)
    query = f"WorkflowId = '{workflow_id}'"
    assert await _workflow_count(client, query, 1) == 1

    # Once the workflow is closed, another start of its id is refused, which also counts as dispatched.
    await client.get_workflow_handle(workflow_id).terminate("closed for the test")
    again = PendingMessage(
        id=message.id,
        kind=message.kind.value,
        tenant_id=message.tenant_id,
        payload=message.payload,
        created_at=message.created_at,
        attempts=1,
    )
    assert await dispatcher.dispatch([again]) == [None]
    assert await _workflow_count(client, query, 1) == 1


@pytest.mark.xdist_group(TEMPORAL_GROUP)
async def test_a_payload_no_workflow_can_read_is_kept_and_backed_off_naming_the_problem(
    store: SqlAlchemyOutboxStore, clock: FakeClock, engine: AsyncEngine, temporal_dev_server: DevServer
) -> None:
    row_id = uuid.uuid4()
    async with engine.begin() as connection:
        await connection.execute(
            insert(outbox_table).values(
                id=row_id,
                kind="send_email",
                payload={"message_id": str(row_id), "template": "welcome", "tenant_id": str(uuid.uuid4())},
                tenant_id=uuid.uuid4(),
                created_at=clock.now(),
                available_at=clock.now(),
            )
        )

    outcome = await relay(store, dispatcher_to(temporal_dev_server.address), clock).run_once()

    assert outcome == RelayPass(claimed=1, dispatched=0, deferred=1)
    [row] = await outbox_rows(engine)
    assert row["last_error"] == "InvalidOutboxPayload: send_email payload: 'recipient_user_id' or 'to' is required"
    assert (row["attempts"], row["dispatched_at"]) == (1, None)
