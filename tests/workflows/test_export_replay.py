"""A recorded ``ExportUsersWorkflow`` history (the export retried once, then the job finished with its file) replays
against the current code; a change that would break exports in flight — finishing before exporting — fails the
replay."""

from __future__ import annotations

from pathlib import Path

from temporalio import workflow
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer
from temporalio.workflow import NondeterminismError

with workflow.unsafe.imports_passed_through():
    from keel.application.jobs.job import JobStatus
    from keel.application.jobs.messages import JobRef
    from keel.infrastructure.temporal.activities.jobs import JobActivities, JobEnd
    from keel.infrastructure.temporal.workflows.exports import ExportUsersWorkflow
    from keel.infrastructure.temporal.workflows.jobs import STEP_TIMEOUT

HISTORY = Path(__file__).parent / "histories" / "export_users_retried_once.json"


def _history() -> WorkflowHistory:
    return WorkflowHistory.from_json("replay-export", HISTORY.read_text(encoding="utf-8"))


async def test_the_recorded_export_replays_against_the_current_workflow() -> None:
    result = await Replayer(workflows=[ExportUsersWorkflow]).replay_workflow(_history())
    assert result.replay_failure is None


@workflow.defn(name="ExportUsers")
class ExportUsersFailingFirst:
    """The workflow as a careless change could make it: a step before the job starts."""

    @workflow.run
    async def run(self, job: JobRef) -> JobStatus | None:
        await workflow.execute_activity_method(
            JobActivities.finish_job, JobEnd(job, JobStatus.FAILED), start_to_close_timeout=STEP_TIMEOUT
        )
        return await ExportUsersWorkflow().run(job)


async def test_a_non_deterministic_change_fails_the_replay() -> None:
    result = await Replayer(workflows=[ExportUsersFailingFirst]).replay_workflow(
        _history(), raise_on_replay_failure=False
    )
    assert isinstance(result.replay_failure, NondeterminismError)
