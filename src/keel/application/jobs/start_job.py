"""StartJob: the first step of a job's workflow — move the job to ``running`` and say where an import's rows begin."""

from __future__ import annotations

from dataclasses import dataclass

from keel.application.jobs.csv_records import csv_records
from keel.application.jobs.job import JobNotFound, JobStatus
from keel.application.jobs.messages import JobRef
from keel.application.jobs.storage import FileStorage
from keel.application.ports import Clock
from keel.application.unit_of_work import UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class JobStart:
    """Where the first row after the header starts: its byte offset and line (an import's first chunk)."""

    offset: int
    line: int


class StartJob:
    def __init__(self, uow: UnitOfWorkFactory, storage: FileStorage, clock: Clock) -> None:
        self._uow = uow
        self._storage = storage
        self._clock = clock

    async def __call__(self, ref: JobRef) -> JobStart | None:
        """``None`` when the job is over already (cancelled before its workflow ran): there is nothing to do."""
        async with self._uow() as uow:
            job = await uow.jobs.start(ref.tenant_id, ref.job_id, self._clock.now())
            await uow.commit()
        if job is None:
            raise JobNotFound()
        if job.status is not JobStatus.RUNNING:
            return None
        if job.input_key is None:
            return JobStart(offset=0, line=1)
        stream = csv_records(self._storage.read(job.input_key))
        try:
            async for header in stream:
                return JobStart(offset=header.end_offset, line=header.end_line)
        finally:
            await stream.aclose()
        return JobStart(offset=0, line=1)
