"""ExportUsers: write a running export job's file — the tenant's users that match its filters — page by page.

The users are read in keyset pages of ``page_size`` in the list's creation order (``created_at, id``, served by the
index ``(tenant_id, created_at, id)``), each page one short read, and streamed straight into ``FileStorage.write`` as
byte chunks: memory holds one page whatever the number of users. Only the job's tenant's users are read: every page
is a query of the job's tenant.

Between pages the job's progress is set (rows written so far, with a fresh ``progress_at``) by a conditional update
that also tells whether the job still runs: when it was cancelled meanwhile, the export stops and the half-written file
is dropped (``write`` leaves nothing behind when its chunks raise). A retried attempt writes the whole file again;
``write`` replaces the previous one in one step.

The rights are checked again when the export runs: its requester must still exist and manage users (and may see
deleted users, if the export includes them).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace

from keel.application.jobs.export_rows import ExportFormat, csv_header, encode_users
from keel.application.jobs.import_chunk import RequesterGone
from keel.application.jobs.job import JobNotFound, JobProgress, JobStatus
from keel.application.jobs.messages import JobRef
from keel.application.jobs.start_export import ExportRequest, ensure_may_export
from keel.application.jobs.storage import FileStorage, job_file_key
from keel.application.ports import Clock
from keel.application.unit_of_work import UnitOfWorkFactory
from keel.application.users.access import UserAccessPolicy
from keel.application.users.actor import Actor
from keel.application.users.query import UserSort


@dataclass(frozen=True, slots=True)
class ExportResult:
    """Where the file is, how many users it holds, and its size in bytes."""

    result_key: str
    rows: int
    size: int


class _ExportCancelled(Exception):
    """Raised inside the stream of chunks so that ``write`` drops the partial file."""


@dataclass
class _Count:
    rows: int = 0


def _no_report(rows: int) -> None:
    del rows


class ExportUsers:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        storage: FileStorage,
        clock: Clock,
        *,
        page_size: int,
        access: UserAccessPolicy | None = None,
    ) -> None:
        if page_size < 1:
            raise ValueError("page_size must be positive")
        self._uow = uow
        self._storage = storage
        self._clock = clock
        self._page_size = page_size
        self._access = access or UserAccessPolicy()

    async def __call__(self, ref: JobRef, *, on_page: Callable[[int], None] = _no_report) -> ExportResult | None:
        """The file written; ``None`` when the job is not running (cancelled before or during the export).

        ``on_page`` is called after each page with the rows written so far (the activity heartbeats there).
        """
        async with self._uow(read_only=True) as uow:
            job = await uow.jobs.get(ref.tenant_id, ref.job_id)
            requester = await uow.users.get(ref.tenant_id, job.requested_by) if job is not None else None
        if job is None:
            raise JobNotFound()
        if job.status is not JobStatus.RUNNING:
            return None
        if requester is None:
            raise RequesterGone("The user who asked for this export no longer exists.")
        request = ExportRequest.from_parameters(job.parameters)
        actor = Actor(user_id=requester.id, tenant_id=requester.tenant_id, roles=requester.roles)
        ensure_may_export(self._access, actor, request)
        key = job_file_key(job.id, request.format.file)
        count = _Count()
        try:
            size = await self._storage.write(key, self._chunks(ref, request, count, on_page))
        except _ExportCancelled:
            return None
        return ExportResult(result_key=key, rows=count.rows, size=size)

    async def _chunks(
        self, ref: JobRef, request: ExportRequest, count: _Count, on_page: Callable[[int], None]
    ) -> AsyncIterator[bytes]:
        if request.format is ExportFormat.CSV:
            yield csv_header()
        query = replace(request.filters, sort=UserSort.CREATED_AT, cursor=None)
        while True:
            async with self._uow(read_only=True) as uow:
                users = await uow.users.find(ref.tenant_id, query, limit=self._page_size)
            if users:
                yield encode_users(users, request.format)
                count.rows += len(users)
            on_page(count.rows)
            if len(users) < self._page_size:
                return
            await self._still_running(ref, count.rows)
            query = replace(query, cursor=query.cursor_after(users[-1]))

    async def _still_running(self, ref: JobRef, rows: int) -> None:
        async with self._uow() as uow:
            running = await uow.jobs.record_progress(
                ref.tenant_id, ref.job_id, JobProgress(None, rows, rows, 0), self._clock.now()
            )
            await uow.commit()
        if not running:
            raise _ExportCancelled
