"""``ImportUsersWorkflow``: run an import chunk after chunk, then finish the job (error report, counts, email).

One workflow per job, id ``import-<job id>``, on the jobs task queue. Steps:

1. ``start_job`` moves the job to ``running`` and says where the first row starts; ``None`` means the job ended
   before the workflow ran (cancelled): nothing to do.
2. ``import_chunk`` for chunk 0, 1, 2, … each from where the previous one ended, until one reports the end of the
   file. Each chunk is idempotent (its outcome is in the ledger, recorded with its users): a retried activity, or a
   workflow replayed on another worker after a crash, never creates a user twice, and the counts stay exact.
3. ``finish_import`` writes the error report and finishes the job with the ledger's counts.

A chunk failing for good (``JobCannotContinue``, or out of attempts) fails the job (``finish_job`` with ``failed`` and
the reason) and the workflow. Cancelling the workflow finishes the job as ``cancelled`` (a no-op when the API did it
first) and ends it cancelled.

The query ``progress`` answers the chunks done and the counts so far, from the workflow's own state.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final
from uuid import UUID

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, is_cancelled_exception

with workflow.unsafe.imports_passed_through():
    # The defining modules themselves (not the package): the payload converter reads their type hints there.
    from keel.application.jobs.import_chunk import ImportChunkCommand
    from keel.application.jobs.job import JobStatus
    from keel.application.jobs.messages import JobRef
    from keel.application.jobs.start_job import JobStart
    from keel.infrastructure.temporal.activities.jobs import JOB_CANNOT_CONTINUE, ChunkProgress, JobActivities, JobEnd

IMPORT_WORKFLOW_ID_PREFIX: Final = "import-"
JOB_FAILED: Final = "JobFailed"

STEP_TIMEOUT: Final = timedelta(minutes=2)
CHUNK_TIMEOUT: Final = timedelta(minutes=5)
CHUNK_HEARTBEAT_TIMEOUT: Final = timedelta(seconds=30)
STEP_RETRY_POLICY: Final = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=1),
    maximum_attempts=10,
    non_retryable_error_types=[JOB_CANNOT_CONTINUE],
)


def import_workflow_id(job_id: UUID) -> str:
    return f"{IMPORT_WORKFLOW_ID_PREFIX}{job_id}"


@dataclass(frozen=True, slots=True)
class ImportProgress:
    chunks: int
    succeeded: int
    failed: int


@workflow.defn(name="ImportUsers")
class ImportUsersWorkflow:
    def __init__(self) -> None:
        self._chunks = 0
        self._succeeded = 0
        self._failed = 0

    @workflow.query(name="progress")
    def progress(self) -> ImportProgress:
        return ImportProgress(self._chunks, self._succeeded, self._failed)

    @workflow.run
    async def run(self, job: JobRef) -> JobStatus | None:
        return await run_job(job, "Import", self._import(job))

    async def _import(self, job: JobRef) -> JobStatus | None:
        start: JobStart | None = await workflow.execute_activity_method(
            JobActivities.start_job, job, start_to_close_timeout=STEP_TIMEOUT, retry_policy=STEP_RETRY_POLICY
        )
        if start is None:
            return None
        index, offset, line = 0, start.offset, start.line
        while True:
            chunk: ChunkProgress = await workflow.execute_activity_method(
                JobActivities.import_chunk,
                ImportChunkCommand(job_id=job.job_id, tenant_id=job.tenant_id, index=index, offset=offset, line=line),
                start_to_close_timeout=CHUNK_TIMEOUT,
                heartbeat_timeout=CHUNK_HEARTBEAT_TIMEOUT,
                retry_policy=STEP_RETRY_POLICY,
            )
            self._chunks += 1
            self._succeeded += chunk.succeeded
            self._failed += chunk.failed
            if chunk.done:
                break
            index, offset, line = index + 1, chunk.next_offset, chunk.next_line
        return await workflow.execute_activity_method(
            JobActivities.finish_import, job, start_to_close_timeout=STEP_TIMEOUT, retry_policy=STEP_RETRY_POLICY
        )


async def run_job(job: JobRef, name: str, steps: Coroutine[Any, Any, JobStatus | None]) -> JobStatus | None:
    """Run a job workflow's ``steps``, and end the job when they do not: the workflow cancelled (before or while a step
    ran) finishes the job ``cancelled`` and ends cancelled; a step failing for good finishes it ``failed`` with the
    reason and fails the workflow (``JobFailed``, not retried). Every job workflow ends its job this one way."""
    try:
        return await steps
    except asyncio.CancelledError:
        await _end(JobEnd(job, JobStatus.CANCELLED, "Cancelled."))
        raise
    except ActivityError as error:
        if is_cancelled_exception(error):  # the workflow was cancelled while a step ran
            await _end(JobEnd(job, JobStatus.CANCELLED, "Cancelled."))
            raise
        reason = _reason(error)
        await _end(JobEnd(job, JobStatus.FAILED, reason))
        raise ApplicationError(f"{name} {job.job_id} failed: {reason}", type=JOB_FAILED, non_retryable=True) from error


async def _end(end: JobEnd) -> None:
    await workflow.execute_activity_method(
        JobActivities.finish_job, end, start_to_close_timeout=STEP_TIMEOUT, retry_policy=STEP_RETRY_POLICY
    )


def _reason(error: ActivityError) -> str:
    cause = error.cause
    if isinstance(cause, ApplicationError):
        return cause.message
    return str(cause) if cause is not None else str(error)
