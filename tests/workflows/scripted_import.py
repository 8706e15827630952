"""Scripted stand-ins for the import activities, registered under the real activity names: a file of ``chunks``
chunks, failures injected per chunk, and a record of what the workflow asked for."""

from __future__ import annotations

import asyncio
import uuid

from temporalio import activity

from keel.application.jobs import ImportChunkCommand, JobRef, JobStart, JobStatus
from keel.infrastructure.temporal.activities.jobs import ChunkProgress, JobEnd

ROWS_PER_CHUNK = 10
CHUNK_BYTES = 100


def job_ref() -> JobRef:
    return JobRef(job_id=uuid.uuid4(), tenant_id=uuid.uuid4())


class ScriptedImport:
    def __init__(
        self,
        chunks: int,
        *,
        failures: dict[int, list[BaseException]] | None = None,
        started: bool = True,
        block_at: int | None = None,
    ) -> None:
        self.chunks = chunks
        self.failures = failures or {}
        self.started = started
        self.block_at = block_at
        self.blocked = asyncio.Event()
        self.commands: list[ImportChunkCommand] = []
        self.ends: list[JobEnd] = []
        self.finished_imports: list[JobRef] = []

    @activity.defn(name="start_job")
    async def start_job(self, job: JobRef) -> JobStart | None:
        return JobStart(offset=31, line=2) if self.started else None

    @activity.defn(name="import_chunk")
    async def import_chunk(self, command: ImportChunkCommand) -> ChunkProgress:
        self.commands.append(command)
        pending = self.failures.get(command.index)
        if pending:
            raise pending.pop(0)
        if command.index == self.block_at:
            self.blocked.set()
            while True:  # until the workflow's cancellation reaches the activity
                activity.heartbeat()
                await asyncio.sleep(0.1)
        done = command.index == self.chunks - 1
        return ChunkProgress(
            index=command.index,
            next_offset=command.offset + CHUNK_BYTES,
            next_line=command.line + ROWS_PER_CHUNK,
            done=done,
            succeeded=ROWS_PER_CHUNK - 1,
            failed=1,
        )

    @activity.defn(name="finish_import")
    async def finish_import(self, job: JobRef) -> JobStatus | None:
        self.finished_imports.append(job)
        return JobStatus.SUCCEEDED

    @activity.defn(name="finish_job")
    async def finish_job(self, end: JobEnd) -> JobStatus | None:
        self.ends.append(end)
        return end.status

    def activities(self) -> list[object]:
        return [self.start_job, self.import_chunk, self.finish_import, self.finish_job]
