"""The JSON shapes of jobs in API v1: a job's status and progress, the links to its files, and an export's request."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from keel.application.jobs import ExportFormat, ExportRequest, Job
from keel.application.users import UserQuery
from keel.domain.users import Role, UserStatus

JobKindName = Literal["import", "export"]
JobStatusName = Literal["queued", "running", "succeeded", "failed", "cancelled"]


class JobProgressView(BaseModel):
    total: int | None
    processed: int
    succeeded: int
    failed: int


class JobView(BaseModel):
    id: UUID
    kind: JobKindName
    status: JobStatusName
    progress: JobProgressView
    created_at: datetime
    finished_at: datetime | None
    error: str | None
    result_url: str | None
    """Where the result streams from, once there is one (an export)."""
    error_report_url: str | None
    """Where the error report (CSV ``line,field,error``) streams from, when rows failed."""

    @classmethod
    def of(cls, job: Job, *, result_url: str, error_report_url: str) -> JobView:
        progress = job.progress
        return cls.model_construct(
            id=job.id,
            kind=job.kind.value,
            status=job.status.value,
            progress=JobProgressView.model_construct(
                total=progress.total,
                processed=progress.processed,
                succeeded=progress.succeeded,
                failed=progress.failed,
            ),
            created_at=job.created_at,
            finished_at=job.finished_at,
            error=job.error,
            result_url=result_url if job.result_key else None,
            error_report_url=error_report_url if job.error_report_key else None,
        )


class JobAcceptedView(BaseModel):
    job: JobView


class ExportFiltersBody(BaseModel):
    """The users list's filters that make sense for an export; unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")

    status: UserStatus | None = None
    role: Role | None = None
    q: str | None = Field(default=None, max_length=100, description="Substring of email, username or name.")
    include_deleted: bool = Field(default=False, description="Include deleted users (needs users:restore).")


class ExportRequestBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: ExportFormat = Field(description="`csv` (formula cells escaped) or `jsonl` (one JSON object per line).")
    filters: ExportFiltersBody = Field(default_factory=ExportFiltersBody)

    def to_request(self) -> ExportRequest:
        filters = self.filters
        return ExportRequest(
            format=self.format,
            filters=UserQuery(
                status=filters.status, role=filters.role, q=filters.q, include_deleted=filters.include_deleted
            ),
        )
