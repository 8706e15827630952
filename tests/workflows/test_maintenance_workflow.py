"""``MaintenanceWorkflow`` in the time-skipping server: both tasks run, one after the other, and their counts are the
result; a failing task is retried with backoff; one failing past its attempts fails the run. The real activity class
over the in-memory database does the work end to end."""

from __future__ import annotations

from datetime import timedelta

import pytest
from scripted_maintenance import ScriptedMaintenance
from temporalio.client import WorkflowFailureError
from temporalio.exceptions import ActivityError, ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from fakes.world import World
from keel.application.jobs import Job, JobKind, JobStatus
from keel.application.maintenance import MaintenanceCounts, MarkStaleJobs, PurgeDeletedUsers
from keel.domain.ids import uuid7
from keel.infrastructure.temporal.activities.maintenance import MaintenanceActivities
from keel.infrastructure.temporal.workflows.maintenance import MAINTENANCE_RETRY_POLICY, MaintenanceWorkflow


async def run(environment: WorkflowEnvironment, task_queue: str, activities: list[object]) -> MaintenanceCounts:
    async with Worker(
        environment.client, task_queue=task_queue, workflows=[MaintenanceWorkflow], activities=activities
    ):
        return await environment.client.execute_workflow(
            MaintenanceWorkflow.run, id=f"maintenance-{task_queue}", task_queue=task_queue
        )


async def test_both_tasks_run_in_order_and_the_result_is_their_counts(
    time_skipping: WorkflowEnvironment, task_queue: str
) -> None:
    scripted = ScriptedMaintenance(purged=7, stale=2)
    assert await run(time_skipping, task_queue, scripted.activities()) == MaintenanceCounts(
        purged_users=7, stale_jobs=2
    )
    assert scripted.calls == [("purge_deleted_users", 1), ("mark_stale_jobs", 1)]


async def test_a_failing_task_is_retried_and_the_run_goes_on(
    time_skipping: WorkflowEnvironment, task_queue: str
) -> None:
    scripted = ScriptedMaintenance(
        purged=3, stale=0, purge_failures=[ConnectionError("database gone"), ConnectionError("still gone")]
    )
    assert await run(time_skipping, task_queue, scripted.activities()) == MaintenanceCounts(
        purged_users=3, stale_jobs=0
    )
    assert scripted.calls == [
        ("purge_deleted_users", 1),
        ("purge_deleted_users", 2),
        ("purge_deleted_users", 3),
        ("mark_stale_jobs", 1),
    ]


async def test_a_task_failing_past_its_attempts_fails_the_run(
    time_skipping: WorkflowEnvironment, task_queue: str
) -> None:
    attempts = MAINTENANCE_RETRY_POLICY.maximum_attempts
    scripted = ScriptedMaintenance(purged=0, stale=0, stale_failures=[ConnectionError("gone")] * attempts)
    with pytest.raises(WorkflowFailureError) as failure:
        await run(time_skipping, task_queue, scripted.activities())
    assert isinstance(failure.value.cause, ActivityError)
    assert isinstance(failure.value.cause.cause, ApplicationError)
    assert failure.value.cause.cause.message == "gone"
    assert scripted.calls == [("purge_deleted_users", 1)] + [("mark_stale_jobs", n) for n in range(1, attempts + 1)]


async def test_the_real_activities_purge_and_fail_stale_jobs(
    time_skipping: WorkflowEnvironment, task_queue: str
) -> None:
    world = World()
    tenant = world.tenant("acme")
    owner = world.user(tenant, "olive")
    gone = world.user(tenant, "ann", deleted_at=world.clock.now() - timedelta(days=31), version=2)
    stale = Job(
        id=uuid7(),
        tenant_id=tenant.id,
        kind=JobKind.IMPORT,
        status=JobStatus.QUEUED,
        requested_by=owner.id,
        created_at=world.clock.now() - timedelta(hours=2),
    )
    world.db.jobs[stale.id] = stale
    activities = MaintenanceActivities(
        PurgeDeletedUsers(world.uow, world.clock, retention=timedelta(days=30), batch_size=10),
        MarkStaleJobs(world.uow, world.clock, world.ids, threshold=timedelta(hours=1), batch_size=10),
    )

    counts = await run(time_skipping, task_queue, [activities.purge_deleted_users, activities.mark_stale_jobs])

    assert counts == MaintenanceCounts(purged_users=1, stale_jobs=1)
    assert gone.id not in world.db.users
    assert world.db.jobs[stale.id].status is JobStatus.FAILED
