"""``MaintenanceWorkflow``: one maintenance run — purge old soft-deleted users, then fail stale jobs.

Started by the ``keel-maintenance`` Temporal Schedule (``keel.infrastructure.temporal.maintenance_schedule``) on the
maintenance task queue, every ``KEEL_MAINTENANCE__INTERVAL_MINUTES``; its result is the counts. The two activities
run one after the other, each retried with backoff (``MAINTENANCE_RETRY_POLICY``) within ``TASK_TIMEOUT`` per
attempt: a database that is briefly away delays a run, and a task still failing after the attempts fails the run —
the next one starts at its time anyway. Both tasks are idempotent, so retries and overlapping runs are harmless.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    # The defining modules themselves: the payload converter reads the result's type hints there.
    from keel.application.maintenance.run import MaintenanceCounts
    from keel.infrastructure.temporal.activities.maintenance import MaintenanceActivities

MAINTENANCE_WORKFLOW_ID: Final = "maintenance"
"""Id of the runs the schedule starts (the server appends the scheduled time)."""

TASK_TIMEOUT: Final = timedelta(minutes=15)
"""One attempt of one task: batches of at most a thousand rows, each its own short transaction."""
MAINTENANCE_RETRY_POLICY: Final = RetryPolicy(
    initial_interval=timedelta(seconds=5),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=2),
    maximum_attempts=5,
)


@workflow.defn(name="Maintenance")
class MaintenanceWorkflow:
    @workflow.run
    async def run(self) -> MaintenanceCounts:
        purged: int = await workflow.execute_activity_method(
            MaintenanceActivities.purge_deleted_users,
            start_to_close_timeout=TASK_TIMEOUT,
            retry_policy=MAINTENANCE_RETRY_POLICY,
        )
        stale: int = await workflow.execute_activity_method(
            MaintenanceActivities.mark_stale_jobs,
            start_to_close_timeout=TASK_TIMEOUT,
            retry_policy=MAINTENANCE_RETRY_POLICY,
        )
        return MaintenanceCounts(purged_users=purged, stale_jobs=stale)
