"""Running an accepted import to its end in the test's process, through the use cases the worker's activities call —
``StartJob``, ``ImportUsersChunk`` chunk after chunk, ``FinishImport`` — in the order ``ImportUsersWorkflow`` calls
them, without Temporal: for tests that feed the importer many files and look only at what it made of each."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from keel.application.jobs import FinishImport, ImportChunkCommand, ImportUsersChunk, JobRef, StartJob
from keel.application.users import CreateUsersBatch
from keel.container import Container


async def provided(provider: Callable[[], Any]) -> Any:
    value = provider()
    return await value if inspect.isawaitable(value) else value


async def run_import(container: Container, job: JobRef, *, chunk_size: int) -> int:
    """Import the job's file to the end and finish the job; return the number of chunks it took."""
    uow, storage, clock = await provided(container.uow_factory), container.file_storage(), container.clock()
    start = await StartJob(uow, storage, clock)(job)
    assert start is not None, "the job ended before it started"
    batch = CreateUsersBatch(uow, container.password_hasher(), clock, container.ids())
    import_chunk = ImportUsersChunk(uow, storage, batch, clock, chunk_size=chunk_size)
    command = ImportChunkCommand(
        job_id=job.job_id, tenant_id=job.tenant_id, index=0, offset=start.offset, line=start.line
    )
    while not (chunk := await import_chunk(command)).done:
        command = replace(command, index=command.index + 1, offset=chunk.next_offset, line=chunk.next_line)
    await FinishImport(uow, storage, await provided(container.finish_job))(job)
    return command.index + 1
