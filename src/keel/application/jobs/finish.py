"""Ending a job: its final status, exactly once, with the ``job_finished`` email in the same transaction.

``FinishJob`` moves a queued or running job to its final status; the conditional update succeeds for one caller only
(a retried activity, a replayed workflow, a concurrent cancel find it final and change nothing). When it moves the job
to ``succeeded`` or ``failed`` it writes the ``send_email`` outbox message of the requester's ``job_finished`` email in
the same transaction: the email goes out once, and only for a job that did end so. A cancelled job sends none: its
requester (or an admin) ended it on purpose.

``FinishImport`` first writes the error report — ``line,field,error``, one line per row error, in file order, read from
the chunk ledger page by page — then finishes the job with the ledger's exact counts.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from keel.application.jobs.job import Job, JobProgress, JobStatus
from keel.application.jobs.messages import JobRef, job_finished_email
from keel.application.jobs.ports import RowError
from keel.application.jobs.storage import FileStorage, JobFile, job_file_key
from keel.application.ports import Clock, IdGenerator
from keel.application.unit_of_work import UnitOfWorkFactory

ERROR_REPORT_HEADER = ("line", "field", "error")
LEDGER_PAGE = 50
"""Chunks read per query when writing an error report."""


@dataclass(frozen=True, kw_only=True)
class FinishJobCommand:
    job: JobRef
    status: JobStatus
    progress: JobProgress | None = None
    result_key: str | None = None
    error_report_key: str | None = None
    error: str | None = None


class FinishJob:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    async def __call__(self, command: FinishJobCommand) -> Job | None:
        """The finished job, or ``None`` when it was final already (nothing changed)."""
        if not command.status.final:
            raise ValueError(f"{command.status} is not a final status")
        now = self._clock.now()
        async with self._uow() as uow:
            job = await uow.jobs.finish(
                command.job.tenant_id,
                command.job.job_id,
                status=command.status,
                now=now,
                progress=command.progress,
                result_key=command.result_key,
                error_report_key=command.error_report_key,
                error=command.error,
            )
            if job is not None and job.status is not JobStatus.CANCELLED:
                await uow.outbox.add([job_finished_email(job, self._ids.new_id(), now)])
            await uow.commit()
        return job


class FinishImport:
    def __init__(self, uow: UnitOfWorkFactory, storage: FileStorage, finish: FinishJob) -> None:
        self._uow = uow
        self._storage = storage
        self._finish = finish

    async def __call__(self, job: JobRef) -> Job | None:
        async with self._uow(read_only=True) as uow:
            totals = await uow.jobs.chunk_totals(job.job_id)
            current = await uow.jobs.get(job.tenant_id, job.job_id)
        report_key = None
        if totals.failed:
            report_key = job_file_key(job.job_id, JobFile.ERROR_REPORT)
            await self._storage.write(report_key, self._report(job))
        total = current.progress.total if current is not None else None
        return await self._finish(
            FinishJobCommand(
                job=job,
                status=JobStatus.SUCCEEDED,
                progress=JobProgress(total, totals.processed, totals.succeeded, totals.failed),
                error_report_key=report_key,
            )
        )

    async def _report(self, job: JobRef) -> AsyncIterator[bytes]:
        yield _csv_line(ERROR_REPORT_HEADER)
        after = -1
        while True:
            async with self._uow(read_only=True) as uow:
                page = await uow.jobs.chunk_errors(job.job_id, after_index=after, limit=LEDGER_PAGE)
            if not page:
                return
            for index, errors in page:
                yield _report_lines(errors)
                after = index


def _report_lines(errors: Sequence[RowError]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows((error.line, error.field, error.error) for error in errors)
    return buffer.getvalue().encode("utf-8")


def _csv_line(fields: Sequence[object]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(fields)
    return buffer.getvalue().encode("utf-8")
