"""The job activities in the SDK's ``ActivityEnvironment``: a chunk's outcome becomes the small ``ChunkProgress`` the
history keeps, it heartbeats while it runs, and errors retrying cannot fix become non-retryable failures."""

from __future__ import annotations

import uuid

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from keel.application.errors import PermissionDenied
from keel.application.jobs import ImportChunk, ImportChunkCommand, JobNotFound, RowError
from keel.infrastructure.temporal.activities.jobs import JOB_CANNOT_CONTINUE, ChunkProgress, JobActivities


class ChunkUseCase:
    def __init__(self, outcome: ImportChunk | Exception) -> None:
        self.outcome = outcome
        self.commands: list[ImportChunkCommand] = []

    async def __call__(self, command: ImportChunkCommand) -> ImportChunk:
        self.commands.append(command)
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome


def _command() -> ImportChunkCommand:
    return ImportChunkCommand(job_id=uuid.uuid4(), tenant_id=uuid.uuid4(), index=3, offset=1200, line=302)


def _activities(chunk: ChunkUseCase) -> JobActivities:
    return JobActivities(None, chunk, None, None)  # type: ignore[arg-type]


async def test_a_chunk_reports_where_the_next_one_starts_and_its_counts_and_heartbeats() -> None:
    command = _command()
    errors = (RowError(303, "email", "This is not a valid email address."), RowError(310, "", "Expected 4 fields."))
    chunk = ChunkUseCase(
        ImportChunk(
            job_id=command.job_id, index=3, next_offset=2400, next_line=402, done=False, succeeded=98, errors=errors
        )
    )
    environment = ActivityEnvironment()
    heartbeats: list[tuple[object, ...]] = []
    environment.on_heartbeat = lambda *details: heartbeats.append(details)

    progress = await environment.run(_activities(chunk).import_chunk, command)

    assert progress == ChunkProgress(index=3, next_offset=2400, next_line=402, done=False, succeeded=98, failed=2)
    assert chunk.commands == [command]
    assert heartbeats[0] == (3,)


@pytest.mark.parametrize(
    "error", [JobNotFound(), PermissionDenied("This needs one of the roles: admin, owner.")], ids=["gone", "denied"]
)
async def test_errors_retrying_cannot_fix_are_not_retried(error: Exception) -> None:
    with pytest.raises(ApplicationError) as raised:
        await ActivityEnvironment().run(_activities(ChunkUseCase(error)).import_chunk, _command())

    assert raised.value.type == JOB_CANNOT_CONTINUE
    assert raised.value.non_retryable
    assert raised.value.message == str(error)


async def test_other_errors_stay_retryable() -> None:
    with pytest.raises(ConnectionError):
        await ActivityEnvironment().run(_activities(ChunkUseCase(ConnectionError("reset"))).import_chunk, _command())
