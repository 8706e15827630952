"""The maintenance schedule with the real Temporal dev server: the worker's start-up creates it; a second start with
another interval leaves exactly one schedule, with the new interval; triggering it runs ``Maintenance`` on the
worker, which purges a user deleted past the retention; turning maintenance off pauses it, on again resumes it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import create_async_engine
from temporalio.client import Client, ScheduleActionStartWorkflow, ScheduleHandle

from keel.application.maintenance import MaintenanceCounts
from keel.container import build_container
from keel.domain.ids import uuid7
from keel.infrastructure.database.models import tenants_table, users_table
from keel.infrastructure.temporal.maintenance_schedule import (
    DISABLED_NOTE,
    ENABLED_NOTE,
    ensure_maintenance_schedule,
)
from keel.infrastructure.temporal.workflows.maintenance import MaintenanceWorkflow
from keel.presentation.worker import serve_worker
from keel.settings import Settings
from support.polling import eventually
from support.temporal import TEMPORAL_GROUP, DevServer

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group(TEMPORAL_GROUP)]

STOP_SECONDS = 60.0


@pytest.fixture
def maintenance_settings(settings: Settings, temporal_dev_server: DevServer) -> Settings:
    """Settings on the dev server, with a schedule and task queues of this test's own."""
    suffix = uuid.uuid4()
    temporal = settings.temporal.model_copy(
        update={
            "address": temporal_dev_server.address,
            "task_queue": f"keel-{suffix}",
            "email_task_queue": f"keel-email-{suffix}",
            "worker_shutdown_grace_seconds": 5.0,
        }
    )
    maintenance = settings.maintenance.model_copy(
        update={"schedule_id": f"keel-maintenance-{suffix}", "task_queue": f"keel-maintenance-{suffix}"}
    )
    return settings.model_copy(update={"temporal": temporal, "maintenance": maintenance})


def with_interval(settings: Settings, minutes: int, *, enabled: bool = True) -> Settings:
    maintenance = settings.maintenance.model_copy(update={"interval_minutes": minutes, "enabled": enabled})
    return settings.model_copy(update={"maintenance": maintenance})


@asynccontextmanager
async def running_worker(settings: Settings) -> AsyncIterator[None]:
    """A worker serving until the block ends; the block starts once it is ready."""
    stop, ready = asyncio.Event(), asyncio.Event()
    worker = asyncio.create_task(serve_worker(build_container(settings), stop, ready=ready.set))
    try:
        await asyncio.wait_for(ready.wait(), STOP_SECONDS)
        yield
    finally:
        stop.set()
        await asyncio.wait_for(worker, STOP_SECONDS)


@pytest.fixture
async def client(temporal_dev_server: DevServer) -> Client:
    return await Client.connect(temporal_dev_server.address)


async def schedule_ids(client: Client, schedule_id: str) -> list[str]:
    """The listed schedules with this id, once the listing (eventually consistent) shows one."""

    async def listed() -> list[str]:
        return [found.id async for found in await client.list_schedules() if found.id == schedule_id]

    async def shown() -> bool:
        return bool(await listed())

    await eventually(shown, within_seconds=30.0, every_seconds=0.1)
    return await listed()


async def interval_of(handle: ScheduleHandle) -> timedelta:
    spec = (await handle.describe()).schedule.spec
    assert len(spec.intervals) == 1
    return spec.intervals[0].every


async def deleted_user(settings: Settings, *, days_ago: int) -> uuid.UUID:
    """A tenant and one user of it, soft-deleted ``days_ago`` days ago."""
    tenant_id, user_id = uuid7(), uuid7()
    engine = create_async_engine(settings.database.url)
    try:
        async with engine.begin() as connection:
            moment = datetime.now(UTC)
            await connection.execute(
                insert(tenants_table).values(id=tenant_id, slug="acme", name="Acme", status="active", created_at=moment)
            )
            await connection.execute(
                insert(users_table).values(
                    id=user_id, tenant_id=tenant_id, email="ann@acme.example", username="ann", full_name="Ann",
                    roles=["member"], status="active", locale="en", timezone="UTC", password_hash="unusable",
                    created_at=moment, updated_at=moment, deleted_at=moment - timedelta(days=days_ago), version=2,
                )
            )  # fmt: skip
    finally:
        await engine.dispose()
    return user_id


async def user_exists(settings: Settings, user_id: uuid.UUID) -> bool:
    engine = create_async_engine(settings.database.url)
    try:
        async with engine.connect() as connection:
            found = await connection.execute(select(users_table.c.id).where(users_table.c.id == user_id))
            return found.first() is not None
    finally:
        await engine.dispose()


@pytest.mark.slow
async def test_worker_starts_keep_one_schedule_with_the_current_interval_and_a_trigger_purges(
    maintenance_settings: Settings, client: Client
) -> None:
    schedule_id = maintenance_settings.maintenance.schedule_id
    handle = client.get_schedule_handle(schedule_id)

    async with running_worker(with_interval(maintenance_settings, 60)):
        assert await schedule_ids(client, schedule_id) == [schedule_id]
        described = await handle.describe()
        assert await interval_of(handle) == timedelta(minutes=60)
        action = described.schedule.action
        assert isinstance(action, ScheduleActionStartWorkflow)
        assert (action.workflow, action.task_queue) == ("Maintenance", maintenance_settings.maintenance.task_queue)
        assert (described.schedule.state.paused, described.schedule.state.note) == (False, ENABLED_NOTE)

    user_id = await deleted_user(maintenance_settings, days_ago=31)
    async with running_worker(with_interval(maintenance_settings, 15)):
        assert await schedule_ids(client, schedule_id) == [schedule_id]
        assert await interval_of(handle) == timedelta(minutes=15)

        await handle.trigger()

        async def a_run_recorded() -> bool:
            return bool((await handle.describe()).info.recent_actions)

        await eventually(a_run_recorded, within_seconds=30.0, every_seconds=0.1)
        started = (await handle.describe()).info.recent_actions[0].action
        run = client.get_workflow_handle_for(
            MaintenanceWorkflow.run, started.workflow_id, run_id=started.first_execution_run_id
        )
        assert await run.result() == MaintenanceCounts(purged_users=1, stale_jobs=0)

    assert not await user_exists(maintenance_settings, user_id)
    await handle.delete()


async def test_maintenance_turned_off_pauses_the_schedule_and_on_again_resumes_it(
    maintenance_settings: Settings, client: Client
) -> None:
    on, off = with_interval(maintenance_settings, 30), with_interval(maintenance_settings, 30, enabled=False)

    handle = await ensure_maintenance_schedule(client, off.maintenance)
    assert handle is not None
    state = (await handle.describe()).schedule.state
    assert (state.paused, state.note) == (True, DISABLED_NOTE)

    assert await ensure_maintenance_schedule(client, on.maintenance) is not None
    state = (await handle.describe()).schedule.state
    assert (state.paused, state.note) == (False, ENABLED_NOTE)

    assert await ensure_maintenance_schedule(client, off.maintenance) is not None
    assert (await handle.describe()).schedule.state.paused is True
    assert await schedule_ids(client, off.maintenance.schedule_id) == [off.maintenance.schedule_id]
    await handle.delete()
