"""The maintenance Temporal Schedule, kept in line with the settings at every worker start.

``keep_maintenance_schedule(client, settings)`` creates the schedule ``KEEL_MAINTENANCE__SCHEDULE_ID``; when it exists
already (any restart, or several workers starting at once) it updates it to the current settings instead — interval,
workflow, task queue, paused or not — so a changed setting takes effect at the next start and there is never a second
schedule nor an error. ``KEEL_MAINTENANCE__ENABLED=false`` keeps the schedule, paused: its recent runs stay visible,
and turning maintenance on again resumes it.

Overlapping runs are skipped (a run still going when the next is due makes that one wait for the next interval), and
a run missed while Temporal was down is not caught up beyond one interval.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

import structlog
from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleHandle,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
    ScheduleState,
    ScheduleUpdate,
    ScheduleUpdateInput,
)
from temporalio.service import RPCError

from keel.infrastructure.temporal.workflows.maintenance import MAINTENANCE_WORKFLOW_ID, MaintenanceWorkflow
from keel.settings import MaintenanceSettings

logger = structlog.get_logger(__name__)

RUN_TIMEOUT: Final = timedelta(hours=1)
"""A run still going after this is ended; the next one starts at its time."""
ENABLED_NOTE: Final = "Kept by the keel worker (KEEL_MAINTENANCE__*)."
DISABLED_NOTE: Final = "Paused: KEEL_MAINTENANCE__ENABLED is false."


def maintenance_schedule(settings: MaintenanceSettings) -> Schedule:
    """The schedule these settings describe."""
    every = timedelta(minutes=settings.interval_minutes)
    return Schedule(
        action=ScheduleActionStartWorkflow(
            MaintenanceWorkflow.run,
            id=MAINTENANCE_WORKFLOW_ID,
            task_queue=settings.task_queue,
            execution_timeout=RUN_TIMEOUT,
        ),
        spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=every)]),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=every),
        state=ScheduleState(paused=not settings.enabled, note=ENABLED_NOTE if settings.enabled else DISABLED_NOTE),
    )


async def keep_maintenance_schedule(client: Client, settings: MaintenanceSettings) -> ScheduleHandle:
    """Create the schedule, or bring the existing one in line with ``settings``; its handle."""
    schedule = maintenance_schedule(settings)
    log = logger.bind(schedule_id=settings.schedule_id, every_minutes=settings.interval_minutes)
    try:
        handle = await client.create_schedule(settings.schedule_id, schedule)
    except ScheduleAlreadyRunningError:
        handle = client.get_schedule_handle(settings.schedule_id)

        def replace(_: ScheduleUpdateInput) -> ScheduleUpdate:
            return ScheduleUpdate(schedule=schedule)

        await handle.update(replace)
        await _pause_or_resume(handle, paused=not settings.enabled)
        log.info("maintenance.schedule_updated", enabled=settings.enabled)
    else:
        log.info("maintenance.schedule_created", enabled=settings.enabled)
    return handle


async def ensure_maintenance_schedule(client: Client, settings: MaintenanceSettings) -> ScheduleHandle | None:
    """``keep_maintenance_schedule`` for the worker's start-up: Temporal refusing the schedule is logged and leaves
    the worker running (email and imports do not depend on it; the next start tries again); ``None`` then."""
    try:
        return await keep_maintenance_schedule(client, settings)
    except RPCError as error:
        logger.error("maintenance.schedule_failed", schedule_id=settings.schedule_id, error=str(error))
        return None


async def _pause_or_resume(handle: ScheduleHandle, *, paused: bool) -> None:
    """Make the pause state the settings' one (an update does not always carry it over)."""
    state = (await handle.describe()).schedule.state
    if state.paused == paused:
        return
    if paused:
        await handle.pause(note=DISABLED_NOTE)
    else:
        await handle.unpause(note=ENABLED_NOTE)
