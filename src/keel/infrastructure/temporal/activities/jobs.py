"""The activities of batch jobs: thin adapters from Temporal to the jobs use cases.

What a workflow's history holds stays small: ids, offsets and counts — never rows or row errors (those are in the
chunk ledger). Errors that retrying cannot fix (the job or its file is gone, its requester gone or no longer allowed)
become non-retryable failures of type ``JobCannotContinue``; anything else (PostgreSQL unreachable, a lost race on a
chunk) is retried by the workflow's retry policy. As an import grows the users table, the table's planner statistics
are refreshed now and then (``TableStatistics``), so that checking each chunk for taken identities stays fast.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Final

import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from keel.application.errors import PermissionDenied
from keel.application.jobs import (
    FinishImport,
    FinishJob,
    FinishJobCommand,
    ImportChunkCommand,
    ImportUsersChunk,
    JobNotFound,
    JobRef,
    JobStart,
    JobStatus,
    RequesterGone,
    StartJob,
    StoredFileMissing,
)
from keel.infrastructure.persistence.table_statistics import TableStatistics, refreshes_statistics_after

logger = structlog.get_logger(__name__)

JOB_CANNOT_CONTINUE: Final = "JobCannotContinue"
HEARTBEAT_SECONDS: Final = 5.0
_FATAL = (JobNotFound, RequesterGone, PermissionDenied, StoredFileMissing)


@dataclass(frozen=True, slots=True)
class ChunkProgress:
    """What the workflow keeps of a chunk: where the next one starts and the counts."""

    index: int
    next_offset: int
    next_line: int
    done: bool
    succeeded: int
    failed: int


@dataclass(frozen=True, slots=True)
class JobEnd:
    job: JobRef
    status: JobStatus
    error: str | None = None


class JobActivities:
    def __init__(
        self,
        start_job: StartJob,
        import_chunk: ImportUsersChunk,
        finish_import: FinishImport,
        finish_job: FinishJob,
        statistics: TableStatistics | None = None,
    ) -> None:
        self._start_job = start_job
        self._import_chunk = import_chunk
        self._finish_import = finish_import
        self._finish_job = finish_job
        self._statistics = statistics

    @activity.defn(name="start_job")
    async def start_job(self, job: JobRef) -> JobStart | None:
        return await _fatal_not_retried(self._start_job(job))

    @activity.defn(name="import_chunk")
    async def import_chunk(self, command: ImportChunkCommand) -> ChunkProgress:
        async with _heartbeating(command.index):
            chunk = await _fatal_not_retried(self._import_chunk(command))
            if self._statistics is not None and chunk.succeeded and refreshes_statistics_after(command.index):
                await self._statistics.refresh_users()  # the users table grows: see TableStatistics
        logger.info(
            "jobs.import_chunk",
            job_id=str(command.job_id),
            chunk=command.index,
            succeeded=chunk.succeeded,
            failed=chunk.failed,
            attempt=activity.info().attempt,
        )
        return ChunkProgress(chunk.index, chunk.next_offset, chunk.next_line, chunk.done, chunk.succeeded, chunk.failed)

    @activity.defn(name="finish_import")
    async def finish_import(self, job: JobRef) -> JobStatus | None:
        finished = await _fatal_not_retried(self._finish_import(job))
        return finished.status if finished is not None else None

    @activity.defn(name="finish_job")
    async def finish_job(self, end: JobEnd) -> JobStatus | None:
        finished = await self._finish_job(FinishJobCommand(job=end.job, status=end.status, error=end.error))
        return finished.status if finished is not None else None


async def _fatal_not_retried[T](work: Awaitable[T]) -> T:
    try:
        return await work
    except _FATAL as error:
        raise ApplicationError(str(error), type=JOB_CANNOT_CONTINUE, non_retryable=True) from error


@asynccontextmanager
async def _heartbeating(details: object) -> AsyncIterator[None]:
    """Heartbeat while the block runs, so a worker that died is noticed within the heartbeat timeout."""

    async def beat() -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            activity.heartbeat(details)

    activity.heartbeat(details)
    task = asyncio.create_task(beat())
    try:
        yield
    finally:
        task.cancel()
