"""Jobs and an import's chunk ledger in memory: the ``JobRepository`` port over an ``InMemoryDatabase`` transaction,
with the same conditional transitions as the SQL one (a job leaves a status once; progress is set only on a running
job; a chunk is recorded once). No row locks: one task per test."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
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
    def __init__(self, database: InMemoryDatabase, tx: Transaction) -> None:
        self._db, self._tx = database, tx

    async def add(self, job: Job) -> None:
        self._db.statements["jobs.add"] += 1
        if job.id in self._visible():
            raise AssertionError("two jobs share an id")  # the primary key: a bug in the code under test
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
            job = dataclasses.replace(job, status=JobStatus.RUNNING, started_at=now, progress_at=now)
            self._tx.jobs[job_id] = job
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
        job = dataclasses.replace(
            job,
            status=status,
            finished_at=now,
            progress_at=now,
            progress=progress if progress is not None else job.progress,
            result_key=result_key if result_key is not None else job.result_key,
            error_report_key=error_report_key if error_report_key is not None else job.error_report_key,
            error=error if error is not None else job.error,
        )
        self._tx.jobs[job_id] = job
        return job

    async def lock_stale(self, progress_before: datetime, *, limit: int) -> Sequence[Job]:
        self._db.statements["jobs.lock_stale"] += 1
        stale = [
            job
            for job in self._visible().values()
            if job.status in ACTIVE_STATUSES and (job.progress_at or job.created_at) < progress_before
        ]
        stale.sort(key=lambda job: (job.progress_at or job.created_at, job.id))
        return stale[:limit]

    async def record_progress(self, tenant_id: UUID, job_id: UUID, progress: JobProgress, now: datetime) -> bool:
        self._db.statements["jobs.record_progress"] += 1
        job = self._visible().get(job_id)
        if job is None or job.tenant_id != tenant_id or job.status is not JobStatus.RUNNING:
            return False
        self._tx.jobs[job_id] = dataclasses.replace(job, progress=progress, progress_at=now)
        return True

    async def record_chunk(self, tenant_id: UUID, chunk: ImportChunk, now: datetime) -> None:
        self._db.statements["jobs.record_chunk"] += 1
        key = (chunk.job_id, chunk.index)
        if key in self._db.job_chunks or key in self._tx.job_chunks:
            raise ChunkAlreadyRecorded(f"chunk {chunk.index} of job {chunk.job_id} is recorded already")
        self._tx.job_chunks[key] = chunk
        job = self._visible().get(chunk.job_id)
        if job is not None and job.tenant_id == tenant_id:
            counts = job.progress
            self._tx.jobs[job.id] = dataclasses.replace(
                job,
                progress=JobProgress(
                    counts.total,
                    counts.processed + chunk.processed,
                    counts.succeeded + chunk.succeeded,
                    counts.failed + chunk.failed,
                ),
                progress_at=now,
            )

    async def get_chunk(self, job_id: UUID, index: int) -> ImportChunk | None:
        self._db.statements["jobs.get_chunk"] += 1
        return self._chunks().get((job_id, index))

    async def chunk_errors(
        self, job_id: UUID, *, after_index: int, limit: int
    ) -> Sequence[tuple[int, Sequence[RowError]]]:
        self._db.statements["jobs.chunk_errors"] += 1
        found = sorted(
            (index, chunk.errors)
            for (owner, index), chunk in self._chunks().items()
            if owner == job_id and index > after_index and chunk.failed
        )
        return found[:limit]

    async def chunk_totals(self, job_id: UUID) -> JobProgress:
        self._db.statements["jobs.chunk_totals"] += 1
        chunks = [chunk for (owner, _), chunk in self._chunks().items() if owner == job_id]
        succeeded = sum(chunk.succeeded for chunk in chunks)
        failed = sum(chunk.failed for chunk in chunks)
        return JobProgress(None, succeeded + failed, succeeded, failed)

    def _visible(self) -> dict[UUID, Job]:
        return self._db.jobs | self._tx.jobs

    def _chunks(self) -> dict[tuple[UUID, int], ImportChunk]:
        return self._db.job_chunks | self._tx.job_chunks
