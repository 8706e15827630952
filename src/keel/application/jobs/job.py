"""A job: a long-running piece of work a user asked for (an import, an export), and its progress.

The ``jobs`` row is the job's record: the API reads it, the workflow running the job keeps it current. Its status only
moves forward — ``queued`` → ``running`` → one of ``succeeded``, ``failed``, ``cancelled`` — and a final status is
never left: every transition is a conditional update that names the statuses it may leave.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from keel.application.outbox.messages import JsonValue
from keel.domain.errors import Conflict, NotFound


class JobKind(StrEnum):
    IMPORT = "import"
    EXPORT = "export"

    @property
    def display_name(self) -> str:
        """How the job is named to its requester (the ``job_finished`` email)."""
        return "User import" if self is JobKind.IMPORT else "User export"


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def final(self) -> bool:
        return self in FINAL_STATUSES


FINAL_STATUSES = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED})
ACTIVE_STATUSES = frozenset({JobStatus.QUEUED, JobStatus.RUNNING})


@dataclass(frozen=True, slots=True)
class JobProgress:
    """Rows to do (``None`` while unknown: an export counts as it goes), done, and how each one ended."""

    total: int | None = None
    processed: int = 0
    succeeded: int = 0
    failed: int = 0


@dataclass(frozen=True, kw_only=True)
class Job:
    id: UUID
    tenant_id: UUID
    kind: JobKind
    status: JobStatus
    requested_by: UUID
    created_at: datetime
    progress: JobProgress = JobProgress()
    parameters: Mapping[str, JsonValue] = field(default_factory=dict)
    """What the job was asked to do beyond its kind (an export's format and filters)."""
    input_key: str | None = None
    result_key: str | None = None
    error_report_key: str | None = None
    error: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    progress_at: datetime | None = None
    """When the job last made progress (started, recorded a chunk, finished)."""


class JobNotFound(NotFound):
    code = "job_not_found"

    def __init__(self, detail: str = "No such job.") -> None:
        super().__init__(detail, context={"field": "job_id"})


class JobAlreadyFinished(Conflict):
    code = "job_already_finished"


class JobFileNotAvailable(NotFound):
    """The job has no such file (yet): an import has no result, a job without row errors has no error report."""

    code = "job_file_not_available"
