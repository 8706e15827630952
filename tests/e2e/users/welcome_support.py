"""Running the worker next to the app in a test: the real ``serve_worker`` on its own container, with a fake
``DeliverEmail`` in place of the email subsystem, pointed at a Temporal server."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from dependency_injector import providers
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from fakes.deliver_email import FakeDeliverEmail
from keel.container import build_container
from keel.infrastructure.database.models.outbox import outbox_table
from keel.presentation.worker import serve_worker
from keel.settings import Settings

STOP_SECONDS = 60.0


def with_temporal(settings: Settings, address: str) -> Settings:
    """``settings`` pointing at Temporal at ``address``, on a task queue of their own, with a quick relay."""
    temporal = settings.temporal.model_copy(
        update={
            "address": address,
            "email_task_queue": f"keel-email-{uuid.uuid4()}",
            "outbox_poll_interval_seconds": 0.05,
            "outbox_backoff_initial_seconds": 0.05,
            "outbox_backoff_max_seconds": 0.5,
            "worker_shutdown_grace_seconds": 5.0,
        }
    )
    return settings.model_copy(update={"temporal": temporal})


@asynccontextmanager
async def running_worker(settings: Settings, deliver: FakeDeliverEmail) -> AsyncIterator[asyncio.Event]:
    """A worker serving in the background until the block ends; yields the event set once it is ready."""
    container = build_container(settings)
    container.email_delivery.override(providers.Object(deliver))
    stop, ready = asyncio.Event(), asyncio.Event()
    worker = asyncio.create_task(serve_worker(container, stop, ready=ready.set))
    try:
        yield ready
    finally:
        stop.set()
        await asyncio.wait_for(worker, STOP_SECONDS)


async def outbox_rows(database_url: str) -> list[dict[str, Any]]:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(select(outbox_table).order_by(outbox_table.c.created_at))
            return [dict(row) for row in rows.mappings()]
    finally:
        await engine.dispose()
