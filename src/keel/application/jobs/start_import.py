"""StartUserImport: check an uploaded CSV as it streams into storage, then queue the import job.

The file is checked while it is stored, chunk by chunk, and refused before any job exists when it is not importable:

* larger than the configured limit (``ImportFileTooLarge``, as soon as the limit is passed);
* not UTF-8 (``ImportNotUtf8``, at the first bad byte; a UTF-8 byte-order mark is allowed);
* no header ``email,username,full_name,roles`` on the first line (``ImportHeaderInvalid``);
* empty, or a header without rows (``ImportFileEmpty``).

Then the job row (with the number of rows as its total) and the ``start_import`` outbox message are written in one
transaction; the worker's relay starts the import's workflow from the message. Row-level faults are not checked here:
each row is reported in the job's error report.

Imported users get the welcome email only when the command says ``send_welcome_email`` (kept in the job's
``parameters``, where the import's chunks read it): by default an import creates its users quietly — moving a user
base in should not mail every one of them, nor queue a hundred thousand emails in front of other work.
"""

from __future__ import annotations

import codecs
from collections.abc import AsyncIterable, AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Final

from keel.application.jobs.csv_records import IMPORT_HEADER, CsvRecord, RecordSplitter, header_fields
from keel.application.jobs.job import Job, JobKind, JobProgress, JobStatus
from keel.application.jobs.messages import start_job_message
from keel.application.jobs.storage import FileStorage, JobFile, job_file_key
from keel.application.ports import Clock, IdGenerator
from keel.application.unit_of_work import UnitOfWorkFactory
from keel.application.users.access import UserAccessPolicy
from keel.application.users.actor import Actor
from keel.domain.errors import InvariantViolated

SEND_WELCOME_EMAIL: Final = "send_welcome_email"
"""The import's parameter saying whether imported users get the welcome email."""


class InvalidImportFile(InvariantViolated):
    code = "invalid_import_file"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, context={"field": "file"})


class ImportFileTooLarge(InvalidImportFile):
    code = "import_file_too_large"


class ImportNotUtf8(InvalidImportFile):
    code = "import_not_utf8"


class ImportHeaderInvalid(InvalidImportFile):
    code = "import_header_invalid"


class ImportFileEmpty(InvalidImportFile):
    code = "import_file_empty"


@dataclass(frozen=True, kw_only=True)
class StartImportCommand:
    actor: Actor
    content: AsyncIterable[bytes]
    send_welcome_email: bool = False
    """Whether each imported user gets the welcome email."""


class StartUserImport:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        storage: FileStorage,
        clock: Clock,
        ids: IdGenerator,
        *,
        max_bytes: int,
        access: UserAccessPolicy | None = None,
    ) -> None:
        self._uow = uow
        self._storage = storage
        self._clock = clock
        self._ids = ids
        self._max_bytes = max_bytes
        self._access = access or UserAccessPolicy()

    async def __call__(self, command: StartImportCommand) -> Job:
        self._access.ensure_manages_users(command.actor)
        job_id = self._ids.new_id()
        key = job_file_key(job_id, JobFile.IMPORT_INPUT)
        check = _UploadCheck(self._max_bytes)
        try:
            await self._storage.write(key, check.checked(command.content))
            rows = check.rows()
            job = Job(
                id=job_id,
                tenant_id=command.actor.tenant_id,
                kind=JobKind.IMPORT,
                status=JobStatus.QUEUED,
                requested_by=command.actor.user_id,
                created_at=self._clock.now(),
                progress=JobProgress(total=rows),
                parameters={SEND_WELCOME_EMAIL: command.send_welcome_email},
                input_key=key,
            )
            async with self._uow() as uow:
                await uow.jobs.add(job)
                await uow.outbox.add([start_job_message(job)])
                await uow.commit()
        except BaseException:
            await self._storage.delete(key)
            raise
        return job


class _UploadCheck:
    """Counts bytes and records, decodes strictly and checks the header of the chunks passing through."""

    def __init__(self, max_bytes: int) -> None:
        self._max_bytes = max_bytes
        self._size = 0
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
        self._splitter = RecordSplitter()
        self._records = 0

    async def checked(self, content: AsyncIterable[bytes]) -> AsyncIterator[bytes]:
        async for chunk in content:
            if not chunk:
                continue
            self._size += len(chunk)
            if self._size > self._max_bytes:
                raise ImportFileTooLarge(f"The file is larger than the limit of {self._max_bytes} bytes.")
            self._decode(chunk, final=False)
            self._count(self._splitter.feed(chunk))
            yield chunk
        self._decode(b"", final=True)
        self._count(self._splitter.finish())

    def rows(self) -> int:
        """The data rows (records after the header); ``ImportFileEmpty`` when there are none."""
        if self._records == 0:
            raise ImportFileEmpty("The file is empty: expected a header line and at least one row.")
        if self._records == 1:
            raise ImportFileEmpty("The file has a header but no rows.")
        return self._records - 1

    def _decode(self, chunk: bytes, *, final: bool) -> None:
        try:
            self._decoder.decode(chunk, final=final)
        except UnicodeDecodeError as error:
            position = self._size - len(chunk) + error.start
            raise ImportNotUtf8(f"The file is not UTF-8: invalid byte at offset {position}.") from None

    def _count(self, records: Iterable[CsvRecord]) -> None:
        for record in records:
            if self._records == 0:
                _check_header(record.fields, unterminated=record.unterminated)
            self._records += 1


def _check_header(fields: tuple[str, ...], *, unterminated: bool) -> None:
    expected = ",".join(IMPORT_HEADER)
    if unterminated or header_fields(fields) != IMPORT_HEADER:
        found = ",".join(fields)[:200]
        raise ImportHeaderInvalid(f"The first line must be the header {expected!r}, not {found!r}.")
