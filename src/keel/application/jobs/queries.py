"""Reading and cancelling a job: the tenant's jobs only (another tenant's job is not found)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from keel.application.jobs.finish import FinishJob, FinishJobCommand
from keel.application.jobs.job import Job, JobAlreadyFinished, JobFileNotAvailable, JobNotFound, JobStatus
from keel.application.jobs.messages import JobRef
from keel.application.jobs.ports import JobWorkflows
from keel.application.jobs.storage import FileStorage
from keel.application.unit_of_work import UnitOfWorkFactory
from keel.application.users.access import UserAccessPolicy
from keel.application.users.actor import Actor


@dataclass(frozen=True, kw_only=True)
class JobQuery:
    actor: Actor
    job_id: UUID


class GetJob:
    def __init__(self, uow: UnitOfWorkFactory, *, access: UserAccessPolicy | None = None) -> None:
        self._uow = uow
        self._access = access or UserAccessPolicy()

    async def __call__(self, query: JobQuery) -> Job:
        self._access.ensure_manages_users(query.actor)
        async with self._uow(read_only=True) as uow:
            job = await uow.jobs.get(query.actor.tenant_id, query.job_id)
        if job is None:
            raise JobNotFound()
        return job


class CancelJob:
    """Mark the job cancelled (a final status: nothing finishes it otherwise afterwards), then stop its workflow.

    An import's chunks check the job's status before each one, so the job stops even when the workflow cannot be
    reached now; what earlier chunks created stays, and the job's progress says how much that was.
    """

    def __init__(self, get_job: GetJob, finish: FinishJob, workflows: JobWorkflows) -> None:
        self._get_job = get_job
        self._finish = finish
        self._workflows = workflows

    async def __call__(self, query: JobQuery) -> Job:
        job = await self._get_job(query)
        cancelled = await self._finish(
            FinishJobCommand(job=JobRef(job.id, job.tenant_id), status=JobStatus.CANCELLED, error="Cancelled.")
        )
        if cancelled is None:
            raise JobAlreadyFinished(f"The job is {job.status.value} already.", context={"field": "job_id"})
        await self._workflows.cancel(cancelled)
        return cancelled


class JobFileKind(StrEnum):
    RESULT = "result"
    ERROR_REPORT = "error_report"


@dataclass(frozen=True, slots=True)
class JobFileStream:
    media_type: str
    filename: str
    chunks: AsyncIterator[bytes]


class OpenJobFile:
    def __init__(self, get_job: GetJob, storage: FileStorage) -> None:
        self._get_job = get_job
        self._storage = storage

    async def __call__(self, query: JobQuery, kind: JobFileKind) -> JobFileStream:
        job = await self._get_job(query)
        key = job.result_key if kind is JobFileKind.RESULT else job.error_report_key
        if key is None:
            what = "result" if kind is JobFileKind.RESULT else "error report"
            raise JobFileNotAvailable(f"This job has no {what}.", context={"field": "job_id"})
        extension = key.rsplit(".", 1)[-1]
        media_type = "application/x-ndjson" if extension == "jsonl" else "text/csv; charset=utf-8"
        name = f"job-{job.id}-{'result' if kind is JobFileKind.RESULT else 'errors'}.{extension}"
        return JobFileStream(media_type, name, self._storage.read(key))
