"""An import's chunks on real PostgreSQL: each one creates its users once, whatever runs it again or alongside, and
the job's counts, error report and ``job_finished`` email follow the ledger exactly."""

from __future__ import annotations

import asyncio
import csv
import io

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from conftest import HEADER, provided, upload
from keel.application.jobs import (
    ChunkAlreadyRecorded,
    FinishImport,
    ImportChunkCommand,
    ImportUsersChunk,
    JobQuery,
    JobRef,
    JobStatus,
    StartJob,
)
from keel.application.users import Actor, CreateUsersBatch
from keel.container import Container
from keel.domain.users import EmailAlreadyUsed
from keel.infrastructure.database.models.outbox import outbox_table
from keel.infrastructure.database.models.users import users_table
from keel.settings import Settings

pytestmark = pytest.mark.integration

ROWS = (
    b"ada@acme.example,ada,Ada Lovelace,admin;member\n"
    b'"bob@acme.example",bob,"Bob, ""the builder""","member;\nadmin"\n'  # quotes, a comma, a newline
    b"not-an-email,carol,Carol,member\n"
    b"dan@acme.example,dan,Dan,wizard\n"
    b"\n"
    b"eve@acme.example,eve,Eve,member\n"
)


async def _count(settings: Settings, table: object, *where: object) -> int:
    engine = create_async_engine(settings.database.url)
    try:
        async with engine.connect() as connection:
            statement = select(func.count()).select_from(table).where(*where)  # type: ignore[arg-type]
            return int((await connection.execute(statement)).scalar_one())
    finally:
        await engine.dispose()


async def _chunk(container: Container, size: int) -> ImportUsersChunk:
    uow = await provided(container.uow_factory)
    batch = CreateUsersBatch(uow, container.password_hasher(), container.clock(), container.ids())
    return ImportUsersChunk(uow, container.file_storage(), batch, container.clock(), chunk_size=size)


async def _started(container: Container, owner: Actor, data: bytes) -> tuple[JobRef, ImportChunkCommand]:
    job = await upload(container, owner, HEADER + data)
    ref = JobRef(job.id, job.tenant_id)
    start = await StartJob(await provided(container.uow_factory), container.file_storage(), container.clock())(ref)
    assert start is not None
    return ref, ImportChunkCommand(
        job_id=job.id, tenant_id=job.tenant_id, index=0, offset=start.offset, line=start.line
    )


async def test_a_chunk_run_twice_creates_its_users_once(container: Container, owner: Actor, settings: Settings) -> None:
    ref, first = await _started(container, owner, ROWS)
    chunk = await _chunk(container, 3)

    once = await chunk(first)
    again = await chunk(first)

    assert again == once
    assert once.succeeded == 2
    assert [(error.line, error.field) for error in once.errors] == [(5, "email")]
    assert not once.done
    assert await _count(settings, users_table) == 1 + 2
    get = await provided(container.get_job)
    current = await get(JobQuery(actor=owner, job_id=ref.job_id))
    assert (current.progress.processed, current.progress.succeeded, current.progress.failed) == (3, 2, 1)


async def test_racing_attempts_of_one_chunk_commit_once(container: Container, owner: Actor, settings: Settings) -> None:
    _, first = await _started(container, owner, ROWS)
    chunk = await _chunk(container, 10)

    outcomes = await asyncio.gather(chunk(first), chunk(first), return_exceptions=True)

    succeeded = [outcome for outcome in outcomes if not isinstance(outcome, BaseException)]
    failed = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
    assert len(succeeded) >= 1
    assert all(isinstance(error, ChunkAlreadyRecorded | EmailAlreadyUsed) for error in failed)
    assert await chunk(first) == succeeded[0]
    assert await _count(settings, users_table) == 1 + 3


async def test_the_whole_file_ends_with_exact_counts_a_report_and_one_email(
    container: Container, owner: Actor, settings: Settings
) -> None:
    ref, command = await _started(container, owner, ROWS)
    chunk = await _chunk(container, 2)
    while True:
        outcome = await chunk(command)
        await chunk(command)  # a retry after the commit changes nothing
        if outcome.done:
            break
        command = ImportChunkCommand(
            job_id=ref.job_id, tenant_id=ref.tenant_id, index=command.index + 1,
            offset=outcome.next_offset, line=outcome.next_line,
        )  # fmt: skip
    finish = FinishImport(
        await provided(container.uow_factory), container.file_storage(), await provided(container.finish_job)
    )

    finished = await finish(ref)
    assert await finish(ref) is None  # final already: nothing changes, no second email

    assert finished is not None
    assert finished.status is JobStatus.SUCCEEDED
    assert (finished.progress.total, finished.progress.processed) == (5, 5)
    assert (finished.progress.succeeded, finished.progress.failed) == (3, 2)
    assert finished.error_report_key is not None
    report = b"".join([piece async for piece in container.file_storage().read(finished.error_report_key)])
    rows = list(csv.reader(io.StringIO(report.decode())))
    assert rows[0] == ["line", "field", "error"]
    assert [(row[0], row[1]) for row in rows[1:]] == [("5", "email"), ("6", "roles")]
    assert await _count(settings, users_table) == 1 + 3
    emails = await _count(settings, outbox_table, outbox_table.c.payload["template"].astext == "job_finished")
    assert emails == 1
