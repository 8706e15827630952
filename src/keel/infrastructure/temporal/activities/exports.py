"""The activities of a user export: write the file (``export_users``) and finish the job with it (``finish_export``).

``export_users`` heartbeats after every page with the rows written so far, so a worker that died is noticed within the
heartbeat timeout and a cancelled workflow's cancellation reaches the activity (at its next heartbeat); the file being
written is then dropped. What goes into the workflow's history is the file's key and the number of rows — never rows.
Errors retrying cannot fix (the job or its requester gone, the requester no longer allowed, parameters that are not an
export's) are non-retryable ``JobCannotContinue`` failures, as for imports.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final

import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from keel.application.errors import PermissionDenied
from keel.application.jobs import (
    ExportUsers,
    FinishJob,
    FinishJobCommand,
    InvalidExportParameters,
    JobNotFound,
    JobProgress,
    JobRef,
    JobStatus,
    RequesterGone,
)
from keel.infrastructure.temporal.activities.jobs import JOB_CANNOT_CONTINUE

logger = structlog.get_logger(__name__)

_FATAL: Final = (JobNotFound, RequesterGone, PermissionDenied, InvalidExportParameters)


@dataclass(frozen=True, slots=True)
class ExportOutcome:
    """What the workflow keeps of the export: where the file is and how many users it holds."""

    result_key: str
    rows: int


@dataclass(frozen=True, slots=True)
class ExportFinish:
    job: JobRef
    result_key: str
    rows: int


class ExportActivities:
    def __init__(self, export_users: ExportUsers, finish_job: FinishJob) -> None:
        self._export_users = export_users
        self._finish_job = finish_job

    def methods(self) -> tuple[Callable[..., Any], ...]:
        """The activities to register on the jobs task queue."""
        return (self.export_users, self.finish_export)

    @activity.defn(name="export_users")
    async def export_users(self, job: JobRef) -> ExportOutcome | None:
        """The file written; ``None`` when the job was cancelled before or during the export."""
        activity.heartbeat(0)
        result = await _fatal_not_retried(self._export_users(job, on_page=activity.heartbeat))
        logger.info(
            "jobs.export_written",
            job_id=str(job.job_id),
            rows=result.rows if result is not None else None,
            size=result.size if result is not None else None,
            attempt=activity.info().attempt,
        )
        return ExportOutcome(result.result_key, result.rows) if result is not None else None

    @activity.defn(name="finish_export")
    async def finish_export(self, finish: ExportFinish) -> JobStatus | None:
        """Succeeded, with the file and the counts (every row written counts as succeeded), and the email."""
        rows = finish.rows
        finished = await self._finish_job(
            FinishJobCommand(
                job=finish.job,
                status=JobStatus.SUCCEEDED,
                progress=JobProgress(total=rows, processed=rows, succeeded=rows, failed=0),
                result_key=finish.result_key,
            )
        )
        return finished.status if finished is not None else None


async def _fatal_not_retried[T](work: Awaitable[T]) -> T:
    try:
        return await work
    except _FATAL as error:
        raise ApplicationError(str(error), type=JOB_CANNOT_CONTINUE, non_retryable=True) from error
