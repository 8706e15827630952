"""The ports the jobs use cases need besides storage: the jobs repository (with its per-chunk ledger) and the
workflows that run jobs."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from keel.application.jobs.job import Job, JobProgress, JobStatus


@dataclass(frozen=True, slots=True)
class RowError:
    """One line of an import's error report: the file's line, the field at fault (empty when none), the reason."""

    line: int
    field: str
    error: str


@dataclass(frozen=True, kw_only=True, slots=True)
class ImportChunk:
    """What one chunk of an import did, recorded once per (job, chunk index) with the users it created.

    ``next_offset``/``next_line`` say where the next chunk starts in the file; ``done`` that there is none.
    """

    job_id: UUID
    index: int
    next_offset: int
    next_line: int
    done: bool
    succeeded: int
    errors: tuple[RowError, ...]

    @property
    def failed(self) -> int:
        return len({error.line for error in self.errors})

    @property
    def processed(self) -> int:
        return self.succeeded + self.failed


class ChunkAlreadyRecorded(Exception):
    """Another attempt recorded this chunk first: this attempt's transaction must not commit."""


class JobRepository(ABC):
    """Jobs of a tenant, and the ledger of an import's chunks. Every method is one statement."""

    @abstractmethod
    async def add(self, job: Job) -> None: ...

    @abstractmethod
    async def get(self, tenant_id: UUID, job_id: UUID) -> Job | None:
        """The tenant's job; ``None`` for another tenant's."""

    @abstractmethod
    async def get_any(self, job_id: UUID) -> Job | None:
        """The job whatever its tenant: for operators' commands only, never for the API."""

    @abstractmethod
    async def start(self, tenant_id: UUID, job_id: UUID, now: datetime) -> Job | None:
        """Move a queued job to ``running``; the job as it is now, ``None`` if there is none."""

    @abstractmethod
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
        """Give a queued or running job its final ``status`` (and the given values); the finished job, or ``None``
        if it was final already (or is not there): exactly one caller finishes a job."""

    @abstractmethod
    async def lock_stale(self, progress_before: datetime, *, limit: int) -> Sequence[Job]:
        """Maintenance only, across tenants: up to ``limit`` queued or running jobs whose last progress (their
        creation, if they never progressed) is before ``progress_before``, oldest first, locked until the transaction
        ends; rows another transaction holds are skipped (``SKIP LOCKED``)."""

    @abstractmethod
    async def record_progress(self, tenant_id: UUID, job_id: UUID, progress: JobProgress, now: datetime) -> bool:
        """Set a running job's progress (the values given, not added); ``False`` when the job is not running any more
        (cancelled meanwhile), and then nothing changed."""

    @abstractmethod
    async def record_chunk(self, tenant_id: UUID, chunk: ImportChunk, now: datetime) -> None:
        """Store the chunk in the ledger and add its counts to the job's progress; ``ChunkAlreadyRecorded`` if the
        ledger has it already (the caller's transaction then rolls back)."""

    @abstractmethod
    async def get_chunk(self, job_id: UUID, index: int) -> ImportChunk | None: ...

    @abstractmethod
    async def chunk_errors(
        self, job_id: UUID, *, after_index: int, limit: int
    ) -> Sequence[tuple[int, Sequence[RowError]]]:
        """Up to ``limit`` recorded chunks after ``after_index`` that have errors, in chunk order: (index, errors)."""

    @abstractmethod
    async def chunk_totals(self, job_id: UUID) -> JobProgress:
        """The sums over the ledger (``total`` left ``None``)."""


class JobWorkflows(Protocol):
    async def cancel(self, job: Job) -> None:
        """Ask the workflow running ``job`` to stop; nothing if it is not running (not started yet, or over)."""
        ...
