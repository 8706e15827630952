"""ImportUsersChunk: import one chunk of an import's file, exactly once, through the API's batch creation.

A chunk is the next ``chunk_size`` records from a byte offset of the file. Its rows become ``InvitedUser`` items of one
``CreateUsersBatch`` call — the same set-based validation, duplicate checks and bulk insert as ``POST /users/batch`` —
and the chunk's outcome (where the next chunk starts, counts, the rows' errors) is written to the job's ledger **in the
transaction of the insert**, keyed by (job, chunk index). So:

* a chunk run again after it committed (a retried activity, a replayed workflow) finds its outcome in the ledger and
  returns it, creating nothing;
* a chunk that crashed before committing left nothing: it runs again from scratch;
* two attempts racing on one chunk cannot both commit: the second one's ledger insert fails and rolls back its users.

The job's progress grows by the chunk's counts in the same transaction, so it is exact at every moment.
Rows of the wrong shape (a wrong number of fields, an unterminated quote, a stray carriage return) are reported
without reaching the batch.
The users get the welcome email only if the job's parameters ask for it (``send_welcome_email``).
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from keel.application.jobs.csv_records import IMPORT_HEADER, ROLE_SEPARATOR, CsvRecord, csv_records
from keel.application.jobs.job import JobNotFound, JobStatus
from keel.application.jobs.ports import ImportChunk, RowError
from keel.application.jobs.start_import import SEND_WELCOME_EMAIL
from keel.application.jobs.storage import FileStorage
from keel.application.ports import Clock
from keel.application.unit_of_work import UnitOfWork, UnitOfWorkFactory
from keel.application.users.actor import Actor
from keel.application.users.create_users_batch import BatchResult, CreateUsersBatch, CreateUsersBatchCommand
from keel.application.users.new_user import InvitedUser
from keel.domain.errors import InvariantViolated


class RequesterGone(InvariantViolated):
    """The user who asked for the import no longer exists: nobody's rights to import with."""

    code = "job_requester_gone"


@dataclass(frozen=True, kw_only=True)
class ImportChunkCommand:
    job_id: UUID
    tenant_id: UUID
    index: int
    offset: int
    """Byte offset of the chunk's first record in the file."""
    line: int
    """Line of the file at ``offset``."""


class ImportUsersChunk:
    def __init__(
        self, uow: UnitOfWorkFactory, storage: FileStorage, batch: CreateUsersBatch, clock: Clock, *, chunk_size: int
    ) -> None:
        self._uow = uow
        self._storage = storage
        self._batch = batch
        self._clock = clock
        self._chunk_size = chunk_size

    async def __call__(self, command: ImportChunkCommand) -> ImportChunk:
        async with self._uow(read_only=True) as uow:
            recorded = await uow.jobs.get_chunk(command.job_id, command.index)
            if recorded is not None:
                return recorded
            job = await uow.jobs.get(command.tenant_id, command.job_id)
            if job is None:
                raise JobNotFound()
            requester = await uow.users.get(command.tenant_id, job.requested_by)
        if job.status is not JobStatus.RUNNING or job.input_key is None:
            # Cancelled (or finished) meanwhile: stop here, recording nothing.
            return ImportChunk(
                job_id=job.id, index=command.index, next_offset=command.offset, next_line=command.line, done=True,
                succeeded=0, errors=(),
            )  # fmt: skip
        if requester is None:
            raise RequesterGone("The user who asked for this import no longer exists.")
        records, done = await self._read(job.input_key, command)
        errors: list[RowError] = []
        users: list[InvitedUser] = []
        lines: list[int] = []
        for csv_record in records:
            item = _invited_user(csv_record, errors)
            if item is not None:
                users.append(item)
                lines.append(csv_record.line)
        last = records[-1] if records else None
        actor = Actor(user_id=requester.id, tenant_id=requester.tenant_id, roles=requester.roles)
        outcome: list[ImportChunk] = []

        async def record_chunk(uow: UnitOfWork, result: BatchResult) -> None:
            row_errors = errors + [
                RowError(line=lines[item.index], field=item.field or "", error=item.detail) for item in result.errors
            ]
            chunk = ImportChunk(
                job_id=command.job_id,
                index=command.index,
                next_offset=last.end_offset if last else command.offset,
                next_line=last.end_line if last else command.line,
                done=done,
                succeeded=len(result.created),
                errors=tuple(sorted(row_errors, key=lambda error: error.line)),
            )
            await uow.jobs.record_chunk(command.tenant_id, chunk, self._clock.now())
            outcome.append(chunk)

        welcome_email = job.parameters.get(SEND_WELCOME_EMAIL) is True
        command_batch = CreateUsersBatchCommand(actor=actor, users=users, welcome_email=welcome_email)
        await self._batch(command_batch, within=record_chunk)
        return outcome[0]

    async def _read(self, key: str, command: ImportChunkCommand) -> tuple[list[CsvRecord], bool]:
        """Up to ``chunk_size`` records from the command's offset, and whether the file ends after them."""
        records: list[CsvRecord] = []
        stream = csv_records(self._storage.read(key, offset=command.offset), offset=command.offset, line=command.line)
        try:
            async for record in stream:
                if len(records) == self._chunk_size:
                    return records, False
                records.append(record)
        finally:
            await stream.aclose()
        return records, True


def _invited_user(record: CsvRecord, errors: list[RowError]) -> InvitedUser | None:
    if record.unterminated:
        errors.append(RowError(record.line, "", "The file ends inside a quoted field."))
        return None
    if record.unreadable:
        errors.append(RowError(record.line, "", "A carriage return (\\r) outside quotes does not end the line."))
        return None
    if len(record.fields) != len(IMPORT_HEADER):
        errors.append(RowError(record.line, "", f"Expected {len(IMPORT_HEADER)} fields, found {len(record.fields)}."))
        return None
    email, username, full_name, roles = (value.strip() for value in record.fields)
    names = [role.strip() for role in roles.split(ROLE_SEPARATOR) if role.strip()]
    return InvitedUser(email=email, username=username, full_name=full_name, roles=names or ["member"])
