"""``ImportUsersWorkflow`` in the time-skipping server with scripted activities: chunks chain from offset to offset
until the file ends, transient failures are retried, a chunk that cannot go on fails the job, and cancelling the
workflow cancels the job."""

from __future__ import annotations

import asyncio

import pytest
from scripted_import import CHUNK_BYTES, ROWS_PER_CHUNK, ScriptedImport, job_ref
from temporalio.client import WorkflowFailureError
from temporalio.exceptions import ApplicationError, CancelledError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from keel.application.jobs import JobStatus
from keel.infrastructure.temporal.activities.jobs import JOB_CANNOT_CONTINUE
from keel.infrastructure.temporal.workflows.jobs import JOB_FAILED, ImportUsersWorkflow, import_workflow_id
from support.temporal import TEST_SERVER


def _worker(environment: WorkflowEnvironment, task_queue: str, scripted: ScriptedImport) -> Worker:
    return Worker(
        environment.client,
        task_queue=task_queue,
        workflows=[ImportUsersWorkflow],
        activities=scripted.activities(),
    )


async def test_chunks_follow_each_other_until_the_file_ends_then_the_import_finishes(
    time_skipping: WorkflowEnvironment, task_queue: str
) -> None:
    job, scripted = job_ref(), ScriptedImport(4)
    async with _worker(time_skipping, task_queue, scripted):
        handle = await time_skipping.client.start_workflow(
            ImportUsersWorkflow.run, job, id=import_workflow_id(job.job_id), task_queue=task_queue
        )
        assert await handle.result() is JobStatus.SUCCEEDED
        progress = await handle.query(ImportUsersWorkflow.progress)

    assert [command.index for command in scripted.commands] == [0, 1, 2, 3]
    assert [command.offset for command in scripted.commands] == [31 + n * CHUNK_BYTES for n in range(4)]
    assert [command.line for command in scripted.commands] == [2 + n * ROWS_PER_CHUNK for n in range(4)]
    assert {command.job_id for command in scripted.commands} == {job.job_id}
    assert scripted.finished_imports == [job]
    assert scripted.ends == []
    assert (progress.chunks, progress.succeeded, progress.failed) == (4, 4 * (ROWS_PER_CHUNK - 1), 4)


async def test_a_failing_chunk_is_retried_at_the_same_place(
    time_skipping: WorkflowEnvironment, task_queue: str
) -> None:
    job = job_ref()
    scripted = ScriptedImport(2, failures={1: [ConnectionError("database gone"), ConnectionError("still gone")]})
    async with _worker(time_skipping, task_queue, scripted):
        status = await time_skipping.client.execute_workflow(
            ImportUsersWorkflow.run, job, id=import_workflow_id(job.job_id), task_queue=task_queue
        )

    assert status is JobStatus.SUCCEEDED
    assert [command.index for command in scripted.commands] == [0, 1, 1, 1]
    assert len({(command.offset, command.line) for command in scripted.commands[1:]}) == 1


async def test_a_chunk_that_cannot_go_on_fails_the_job_with_its_reason(
    time_skipping: WorkflowEnvironment, task_queue: str
) -> None:
    job = job_ref()
    fatal = ApplicationError("The user who asked for this import no longer exists.", type=JOB_CANNOT_CONTINUE,
                             non_retryable=True)  # fmt: skip
    scripted = ScriptedImport(3, failures={1: [fatal]})
    async with _worker(time_skipping, task_queue, scripted):
        with pytest.raises(WorkflowFailureError) as failure:
            await time_skipping.client.execute_workflow(
                ImportUsersWorkflow.run, job, id=import_workflow_id(job.job_id), task_queue=task_queue
            )

    cause = failure.value.cause
    assert isinstance(cause, ApplicationError)
    assert cause.type == JOB_FAILED
    assert [command.index for command in scripted.commands] == [0, 1]  # not retried
    assert [(end.status, end.error) for end in scripted.ends] == [
        (JobStatus.FAILED, "The user who asked for this import no longer exists.")
    ]
    assert scripted.finished_imports == []


async def test_a_job_over_before_its_workflow_ran_imports_nothing(
    time_skipping: WorkflowEnvironment, task_queue: str
) -> None:
    job, scripted = job_ref(), ScriptedImport(3, started=False)
    async with _worker(time_skipping, task_queue, scripted):
        status = await time_skipping.client.execute_workflow(
            ImportUsersWorkflow.run, job, id=import_workflow_id(job.job_id), task_queue=task_queue
        )

    assert status is None
    assert scripted.commands == []
    assert scripted.finished_imports == []


async def test_cancelling_the_workflow_cancels_the_job(task_queue: str) -> None:
    # A server of its own: cancelling while an activity runs leaves the shared server's time skipping locked.
    job, scripted = job_ref(), ScriptedImport(5, block_at=2)
    async with (
        await WorkflowEnvironment.start_time_skipping(test_server_existing_path=str(TEST_SERVER)) as environment,
        _worker(environment, task_queue, scripted),
    ):
        handle = await environment.client.start_workflow(
            ImportUsersWorkflow.run, job, id=import_workflow_id(job.job_id), task_queue=task_queue
        )
        await asyncio.wait_for(scripted.blocked.wait(), 30)
        await handle.cancel()
        with pytest.raises(WorkflowFailureError) as failure:
            await handle.result()

    assert isinstance(failure.value.cause, CancelledError)
    assert [command.index for command in scripted.commands] == [0, 1, 2]
    assert [end.status for end in scripted.ends] == [JobStatus.CANCELLED]
    assert scripted.finished_imports == []
