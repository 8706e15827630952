"""A recorded ``MaintenanceWorkflow`` history (the purge retried once, then both counts) replays against the current
code; a change that would break runs in flight — the tasks swapped — fails the replay."""

from __future__ import annotations

from pathlib import Path

from temporalio import workflow
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer
from temporalio.workflow import NondeterminismError

with workflow.unsafe.imports_passed_through():
    from keel.application.maintenance.run import MaintenanceCounts
    from keel.infrastructure.temporal.activities.maintenance import MaintenanceActivities
    from keel.infrastructure.temporal.workflows.maintenance import TASK_TIMEOUT, MaintenanceWorkflow

HISTORY = Path(__file__).parent / "histories" / "maintenance_purge_retried_once.json"


def _history() -> WorkflowHistory:
    return WorkflowHistory.from_json("replay-maintenance", HISTORY.read_text(encoding="utf-8"))


async def test_the_recorded_run_replays_against_the_current_workflow() -> None:
    result = await Replayer(workflows=[MaintenanceWorkflow]).replay_workflow(_history())
    assert result.replay_failure is None


@workflow.defn(name="Maintenance")
class MaintenanceStaleJobsFirst:
    """The workflow as a careless change could make it: the stale jobs before the purge."""

    @workflow.run
    async def run(self) -> MaintenanceCounts:
        stale: int = await workflow.execute_activity_method(
            MaintenanceActivities.mark_stale_jobs, start_to_close_timeout=TASK_TIMEOUT
        )
        purged: int = await workflow.execute_activity_method(
            MaintenanceActivities.purge_deleted_users, start_to_close_timeout=TASK_TIMEOUT
        )
        return MaintenanceCounts(purged_users=purged, stale_jobs=stale)


async def test_a_non_deterministic_change_fails_the_replay() -> None:
    result = await Replayer(workflows=[MaintenanceStaleJobsFirst]).replay_workflow(
        _history(), raise_on_replay_failure=False
    )
    assert isinstance(result.replay_failure, NondeterminismError)
