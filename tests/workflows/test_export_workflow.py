"""``ExportUsersWorkflow`` in the time-skipping server with scripted activities: the file, then the job finished with
it; transient failures retried; an export that cannot go on fails the job; cancelling the workflow cancels the job."""

from __future__ import annotations

import asyncio

import pytest
from scripted_export import ScriptedExport
from scripted_import import job_ref
from temporalio.client import WorkflowFailureError
from temporalio.exceptions import ApplicationError, CancelledError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from keel.application.jobs import JobStatus
from keel.infrastructure.temporal.activities.exports import ExportFinish
from keel.infrastructure.temporal.activities.jobs import JOB_CANNOT_CONTINUE
from keel.infrastructure.temporal.workflows.exports import ExportUsersWorkflow, export_workflow_id
from keel.infrastructure.temporal.workflows.jobs import JOB_FAILED
from support.temporal import TEST_SERVER


def _worker(environment: WorkflowEnvironment, task_queue: str, scripted: ScriptedExport) -> Worker:
    return Worker(
        environment.client, task_queue=task_queue, workflows=[ExportUsersWorkflow], activities=scripted.activities()
    )


async def test_the_export_writes_its_file_then_finishes_the_job_with_it(
    time_skipping: WorkflowEnvironment, task_queue: str
) -> None:
    job, scripted = job_ref(), ScriptedExport(1234)
    async with _worker(time_skipping, task_queue, scripted):
        status = await time_skipping.client.execute_workflow(
            ExportUsersWorkflow.run, job, id=export_workflow_id(job.job_id), task_queue=task_queue
        )

    assert status is JobStatus.SUCCEEDED
    assert export_workflow_id(job.job_id) == f"export-{job.job_id}"
    assert scripted.exports == [job]
    assert scripted.finishes == [ExportFinish(job, f"jobs/{job.job_id}/result.csv", 1234)]
    assert scripted.ends == []


async def test_a_failing_export_is_retried_whole(time_skipping: WorkflowEnvironment, task_queue: str) -> None:
    job = job_ref()
    scripted = ScriptedExport(7, failures=[ConnectionError("database gone"), ConnectionError("still gone")])
    async with _worker(time_skipping, task_queue, scripted):
        status = await time_skipping.client.execute_workflow(
            ExportUsersWorkflow.run, job, id=export_workflow_id(job.job_id), task_queue=task_queue
        )

    assert status is JobStatus.SUCCEEDED
    assert scripted.exports == [job, job, job]
    assert scripted.finishes == [ExportFinish(job, f"jobs/{job.job_id}/result.csv", 7)]


async def test_an_export_that_cannot_go_on_fails_the_job_with_its_reason(
    time_skipping: WorkflowEnvironment, task_queue: str
) -> None:
    job = job_ref()
    fatal = ApplicationError("Managing users needs the permission users:write.", type=JOB_CANNOT_CONTINUE,
                             non_retryable=True)  # fmt: skip
    scripted = ScriptedExport(3, failures=[fatal])
    async with _worker(time_skipping, task_queue, scripted):
        with pytest.raises(WorkflowFailureError) as failure:
            await time_skipping.client.execute_workflow(
                ExportUsersWorkflow.run, job, id=export_workflow_id(job.job_id), task_queue=task_queue
            )

    cause = failure.value.cause
    assert isinstance(cause, ApplicationError)
    assert cause.type == JOB_FAILED
    assert scripted.exports == [job]  # not retried
    assert [(end.status, end.error) for end in scripted.ends] == [
        (JobStatus.FAILED, "Managing users needs the permission users:write.")
    ]
    assert scripted.finishes == []


@pytest.mark.parametrize(
    ("started", "cancelled_meanwhile", "exports"),
    [(False, False, 0), (True, True, 1)],
    ids=["before-the-workflow-ran", "between-pages"],
)
async def test_a_job_cancelled_through_the_api_ends_the_workflow_without_finishing_it(
    time_skipping: WorkflowEnvironment, task_queue: str, started: bool, cancelled_meanwhile: bool, exports: int
) -> None:
    job, scripted = job_ref(), ScriptedExport(5, started=started, cancelled_meanwhile=cancelled_meanwhile)
    async with _worker(time_skipping, task_queue, scripted):
        status = await time_skipping.client.execute_workflow(
            ExportUsersWorkflow.run, job, id=export_workflow_id(job.job_id), task_queue=task_queue
        )

    assert status is None
    assert len(scripted.exports) == exports
    assert scripted.finishes == []
    assert scripted.ends == []


async def test_cancelling_the_workflow_cancels_the_export_and_the_job(task_queue: str) -> None:
    # A server of its own: cancelling while an activity runs leaves the shared server's time skipping locked.
    job, scripted = job_ref(), ScriptedExport(5, block=True)
    async with (
        await WorkflowEnvironment.start_time_skipping(test_server_existing_path=str(TEST_SERVER)) as environment,
        _worker(environment, task_queue, scripted),
    ):
        handle = await environment.client.start_workflow(
            ExportUsersWorkflow.run, job, id=export_workflow_id(job.job_id), task_queue=task_queue
        )
        await asyncio.wait_for(scripted.blocked.wait(), 30)
        await handle.cancel()
        with pytest.raises(WorkflowFailureError) as failure:
            await handle.result()

    assert isinstance(failure.value.cause, CancelledError)
    assert scripted.exports == [job]
    assert [end.status for end in scripted.ends] == [JobStatus.CANCELLED]
    assert scripted.finishes == []
