"""Jobs in memory: the ``JobRepository`` port over an ``InMemoryDatabase`` transaction, with the same conditional
transitions as the SQL one (a job leaves a status once) and the chunk ledger keyed by (job, chunk index)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any
from uuid import UUID

from fakes.database import InMemoryDatabase, Transaction
from keel.application.jobs import (
    ACTIVE_STATUSES,
    ChunkAlreadyRecorded,
    ImportChunk,
    Job,
    JobProgress,
    JobRepository,
    JobStatus,
    RowError,
)


class InMemoryJobRepository(JobRepository):
    """Jobs are frozen dataclasses: stored as they are. No row locks: one task per test."""

    def __init__(self, database: InMemoryDatabase, tx: Transaction) -> None:
        self._db, self._tx = database, tx

    def _visible(self) -> dict[UUID, Job]:
        return self._db.jobs | self._tx.jobs

    def _chunks(self) -> dict[tuple[UUID, int], ImportChunk]:
        return self._db.job_chunks | self._tx.job_chunks

    async def add(self, job: Job) -> None:
        self._db.statements["jobs.add"] += 1
        self._tx.jobs[job.id] = job

    async def get(self, tenant_id: UUID, job_id: UUID) -> Job | None:
        self._db.statements["jobs.get"] += 1
        job = self._visible().get(job_id)
        return job if job is not None and job.tenant_id == tenant_id else None

    async def get_any(self, job_id: UUID) -> Job | None:
        self._db.statements["jobs.get_any"] += 1
        return self._visible().get(job_id)

    async def start(self, tenant_id: UUID, job_id: UUID, now: datetime) -> Job | None:
        self._db.statements["jobs.start"] += 1
        job = self._visible().get(job_id)
        if job is None or job.tenant_id != tenant_id:
            return None
        if job.status is JobStatus.QUEUED:
            job = self._tx.jobs[job_id] = replace(job, status=JobStatus.RUNNING, started_at=now, progress_at=now)
        return job

    async def finish(
        self,
        tenant_id: UUID,
        job_id: UUID,
        *,
        status: JobStatus,
        now: datetime,
        progress: JobProgress | None = None,
        result_key: str | None = None,
        error_report_key: str | None = None,
        error: str | None = None,
    ) -> Job | None:
        self._db.statements["jobs.finish"] += 1
        job = self._visible().get(job_id)
        if job is None or job.tenant_id != tenant_id or job.status not in ACTIVE_STATUSES:
            return None
        values: dict[str, Any] = {"status": status, "finished_at": now, "progress_at": now}
        for name, value in (
            ("progress", progress),
            ("result_key", result_key),
            ("error_report_key", error_report_key),
            ("error", error),
        ):
            if value is not None:
                values[name] = value
        finished = self._tx.jobs[job_id] = replace(job, **values)
        return finished

    async def lock_stale(self, progress_before: datetime, *, limit: int) -> Sequence[Job]:
        self._db.statements["jobs.lock_stale"] += 1
        stale = [
            job
            for job in self._visible().values()
            if job.status in ACTIVE_STATUSES and (job.progress_at or job.created_at) < progress_before
        ]
        stale.sort(key=lambda job: (job.progress_at or job.created_at, job.id))
        return stale[:limit]

    async def record_chunk(self, tenant_id: UUID, chunk: ImportChunk, now: datetime) -> None:
        self._db.statements["jobs.record_chunk"] += 1
        if (chunk.job_id, chunk.index) in self._chunks():
            raise ChunkAlreadyRecorded(f"chunk {chunk.index} of job {chunk.job_id} is recorded already")
        self._tx.job_chunks[chunk.job_id, chunk.index] = chunk
        job = self._visible().get(chunk.job_id)
        if job is not None and job.tenant_id == tenant_id:
            done = job.progress
            self._tx.jobs[job.id] = replace(
                job,
                progress=JobProgress(
                    done.total,
                    done.processed + chunk.processed,
                    done.succeeded + chunk.succeeded,
                    done.failed + chunk.failed,
                ),
                progress_at=now,
            )

    async def get_chunk(self, job_id: UUID, index: int) -> ImportChunk | None:
        return self._chunks().get((job_id, index))

    async def chunk_errors(
        self, job_id: UUID, *, after_index: int, limit: int
    ) -> Sequence[tuple[int, Sequence[RowError]]]:
        chunks = sorted(
            (chunk for (job, index), chunk in self._chunks().items() if job == job_id and index > after_index),
            key=lambda chunk: chunk.index,
        )
        return [(chunk.index, chunk.errors) for chunk in chunks if chunk.errors][:limit]

    async def chunk_totals(self, job_id: UUID) -> JobProgress:
        chunks = [chunk for (job, _), chunk in self._chunks().items() if job == job_id]
        succeeded = sum(chunk.succeeded for chunk in chunks)
        failed = sum(chunk.failed for chunk in chunks)
        return JobProgress(None, succeeded + failed, succeeded, failed)
