"""Jobs and an import's chunk ledger in PostgreSQL: the ``JobRepository`` port over the unit of work's session.

Status changes are conditional ``UPDATE ... WHERE status IN (...) RETURNING *``: a job leaves a status once, whoever
else tries. Recording a chunk is an insert into ``job_chunks`` (a second one for the same key is a primary-key
violation, turned into ``ChunkAlreadyRecorded``) and one update adding its counts to the job.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Executable, Result, RowMapping, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from keel.application.jobs import (
    ACTIVE_STATUSES,
    ChunkAlreadyRecorded,
    ImportChunk,
    Job,
    JobKind,
    JobProgress,
    JobRepository,
    JobStatus,
    RowError,
)
from keel.infrastructure.database.models.jobs import job_chunks_table, jobs_table
from keel.infrastructure.persistence.error_translation import translate_database_errors
from keel.infrastructure.persistence.statements import Statements

_jobs = jobs_table.c
_chunks = job_chunks_table.c
_ACTIVE = [status.value for status in ACTIVE_STATUSES]


class SqlAlchemyJobRepository(JobRepository):
    def __init__(self, session: Statements) -> None:
        self._session = session

    async def add(self, job: Job) -> None:
        await self._execute(insert(jobs_table).values(_job_values(job)))

    async def get(self, tenant_id: UUID, job_id: UUID) -> Job | None:
        statement = select(jobs_table).where(_jobs.id == job_id, _jobs.tenant_id == tenant_id)
        row = (await self._execute(statement)).mappings().one_or_none()
        return _job_from_row(row) if row is not None else None

    async def get_any(self, job_id: UUID) -> Job | None:
        row = (await self._execute(select(jobs_table).where(_jobs.id == job_id))).mappings().one_or_none()
        return _job_from_row(row) if row is not None else None

    async def start(self, tenant_id: UUID, job_id: UUID, now: datetime) -> Job | None:
        started = (
            update(jobs_table)
            .where(_jobs.id == job_id, _jobs.tenant_id == tenant_id, _jobs.status == JobStatus.QUEUED.value)
            .values(status=JobStatus.RUNNING.value, started_at=now, progress_at=now)
            .returning(*jobs_table.c)
        )
        row = (await self._execute(started)).mappings().one_or_none()
        return _job_from_row(row) if row is not None else await self.get(tenant_id, job_id)

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
        values: dict[str, Any] = {"status": status.value, "finished_at": now, "progress_at": now}
        if progress is not None:
            values.update(_progress_values(progress))
        if result_key is not None:
            values["result_key"] = result_key
        if error_report_key is not None:
            values["error_report_key"] = error_report_key
        if error is not None:
            values["error"] = error
        statement = (
            update(jobs_table)
            .where(_jobs.id == job_id, _jobs.tenant_id == tenant_id, _jobs.status.in_(_ACTIVE))
            .values(values)
            .returning(*jobs_table.c)
        )
        row = (await self._execute(statement)).mappings().one_or_none()
        return _job_from_row(row) if row is not None else None

    async def lock_stale(self, progress_before: datetime, *, limit: int) -> Sequence[Job]:
        last_progress = func.coalesce(_jobs.progress_at, _jobs.created_at)
        statement = (
            select(jobs_table)
            .where(_jobs.status.in_(_ACTIVE), last_progress < progress_before)
            .order_by(last_progress, _jobs.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [_job_from_row(row) for row in (await self._execute(statement)).mappings()]

    async def record_progress(self, tenant_id: UUID, job_id: UUID, progress: JobProgress, now: datetime) -> bool:
        statement = (
            update(jobs_table)
            .where(_jobs.id == job_id, _jobs.tenant_id == tenant_id, _jobs.status == JobStatus.RUNNING.value)
            .values(**_progress_values(progress), progress_at=now)
            .returning(_jobs.id)
        )
        return (await self._execute(statement)).first() is not None

    async def record_chunk(self, tenant_id: UUID, chunk: ImportChunk, now: datetime) -> None:
        ledger = (
            pg_insert(job_chunks_table)
            .values(
                job_id=chunk.job_id,
                chunk_index=chunk.index,
                next_offset=chunk.next_offset,
                next_line=chunk.next_line,
                done=chunk.done,
                succeeded=chunk.succeeded,
                failed=chunk.failed,
                errors=[[error.line, error.field, error.error] for error in chunk.errors],
                recorded_at=now,
            )
            .on_conflict_do_nothing(index_elements=[_chunks.job_id, _chunks.chunk_index])
            .returning(_chunks.chunk_index)
        )
        if (await self._execute(ledger)).first() is None:
            raise ChunkAlreadyRecorded(f"chunk {chunk.index} of job {chunk.job_id} is recorded already")
        progress = (
            update(jobs_table)
            .where(_jobs.id == chunk.job_id, _jobs.tenant_id == tenant_id)
            .values(
                processed=_jobs.processed + chunk.processed,
                succeeded=_jobs.succeeded + chunk.succeeded,
                failed=_jobs.failed + chunk.failed,
                progress_at=now,
            )
        )
        await self._execute(progress)

    async def get_chunk(self, job_id: UUID, index: int) -> ImportChunk | None:
        statement = select(job_chunks_table).where(_chunks.job_id == job_id, _chunks.chunk_index == index)
        row = (await self._execute(statement)).mappings().one_or_none()
        if row is None:
            return None
        return ImportChunk(
            job_id=row["job_id"],
            index=row["chunk_index"],
            next_offset=row["next_offset"],
            next_line=row["next_line"],
            done=row["done"],
            succeeded=row["succeeded"],
            errors=_row_errors(row["errors"]),
        )

    async def chunk_errors(
        self, job_id: UUID, *, after_index: int, limit: int
    ) -> Sequence[tuple[int, Sequence[RowError]]]:
        statement = (
            select(_chunks.chunk_index, _chunks.errors)
            .where(_chunks.job_id == job_id, _chunks.chunk_index > after_index, _chunks.failed > 0)
            .order_by(_chunks.chunk_index)
            .limit(limit)
        )
        rows = (await self._execute(statement)).all()
        return [(row.chunk_index, _row_errors(row.errors)) for row in rows]

    async def chunk_totals(self, job_id: UUID) -> JobProgress:
        statement = select(
            func.coalesce(func.sum(_chunks.succeeded), 0).label("succeeded"),
            func.coalesce(func.sum(_chunks.failed), 0).label("failed"),
        ).where(_chunks.job_id == job_id)
        row = (await self._execute(statement)).mappings().one()
        succeeded, failed = int(row["succeeded"]), int(row["failed"])
        return JobProgress(None, succeeded + failed, succeeded, failed)

    async def _execute(self, statement: Executable) -> Result[Any]:
        with translate_database_errors():
            return await self._session.execute(statement)


def _row_errors(values: Sequence[Sequence[Any]]) -> tuple[RowError, ...]:
    return tuple(RowError(line=int(line), field=str(field), error=str(error)) for line, field, error in values)


def _progress_values(progress: JobProgress) -> dict[str, Any]:
    return {
        "total": progress.total,
        "processed": progress.processed,
        "succeeded": progress.succeeded,
        "failed": progress.failed,
    }


def _job_values(job: Job) -> dict[str, Any]:
    return {
        "id": job.id,
        "tenant_id": job.tenant_id,
        "kind": job.kind.value,
        "status": job.status.value,
        "requested_by": job.requested_by,
        "parameters": dict(job.parameters),
        **_progress_values(job.progress),
        "input_key": job.input_key,
        "result_key": job.result_key,
        "error_report_key": job.error_report_key,
        "error": job.error,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "progress_at": job.progress_at,
    }


def _job_from_row(row: RowMapping) -> Job:
    return Job(
        id=row["id"],
        tenant_id=row["tenant_id"],
        kind=JobKind(row["kind"]),
        status=JobStatus(row["status"]),
        requested_by=row["requested_by"],
        created_at=row["created_at"],
        progress=JobProgress(row["total"], row["processed"], row["succeeded"], row["failed"]),
        parameters=row["parameters"] or {},
        input_key=row["input_key"],
        result_key=row["result_key"],
        error_report_key=row["error_report_key"],
        error=row["error"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        progress_at=row["progress_at"],
    )
