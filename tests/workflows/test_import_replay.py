"""A recorded ``ImportUsersWorkflow`` history (three chunks, one retried) replays against the current code; a change
that would break imports in flight — another step before the chunks — fails the replay."""

from __future__ import annotations

from pathlib import Path

from temporalio import workflow
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer
from temporalio.workflow import NondeterminismError

with workflow.unsafe.imports_passed_through():
    from keel.application.jobs.job import JobStatus
    from keel.application.jobs.messages import JobRef
    from keel.infrastructure.temporal.activities.jobs import JobActivities
    from keel.infrastructure.temporal.workflows.jobs import STEP_TIMEOUT, ImportUsersWorkflow

HISTORY = Path(__file__).parent / "histories" / "import_users_three_chunks_one_retried.json"


def _history() -> WorkflowHistory:
    return WorkflowHistory.from_json("replay-import", HISTORY.read_text(encoding="utf-8"))


async def test_the_recorded_import_replays_against_the_current_workflow() -> None:
    result = await Replayer(workflows=[ImportUsersWorkflow]).replay_workflow(_history())
    assert result.replay_failure is None


@workflow.defn(name="ImportUsers")
class ImportUsersFinishingFirst:
    """The workflow as a careless change could make it: the job finished before its chunks."""

    @workflow.run
    async def run(self, job: JobRef) -> JobStatus | None:
        await workflow.execute_activity_method(JobActivities.finish_import, job, start_to_close_timeout=STEP_TIMEOUT)
        return await ImportUsersWorkflow().run(job)


async def test_a_non_deterministic_change_fails_the_replay() -> None:
    result = await Replayer(workflows=[ImportUsersFinishingFirst]).replay_workflow(
        _history(), raise_on_replay_failure=False
    )
    assert isinstance(result.replay_failure, NondeterminismError)
