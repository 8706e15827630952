"""The export's activities in the SDK's ``ActivityEnvironment``, over the real use cases on fakes: the file's key and
row count are all the history gets, a heartbeat per page carries the rows so far, errors retrying cannot fix are
non-retryable, and finishing sets the exact counts, the result and the ``job_finished`` email."""

from __future__ import annotations

import dataclasses

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from fakes.storage import InMemoryFileStorage
from fakes.world import World, actor
from keel.application.jobs import (
    ExportFormat,
    ExportRequest,
    ExportUsers,
    FinishJob,
    Job,
    JobProgress,
    JobRef,
    JobStatus,
    StartExportCommand,
    StartUserExport,
)
from keel.application.outbox import MessageKind
from keel.domain.users import Role
from keel.infrastructure.temporal.activities.exports import ExportActivities, ExportFinish, ExportOutcome
from keel.infrastructure.temporal.activities.jobs import JOB_CANNOT_CONTINUE


async def _world_with_export(users: int) -> tuple[World, Job]:
    world = World()
    tenant = world.tenant()
    owner = world.user(tenant, "olive", roles=[Role.OWNER])
    for number in range(users):
        world.user(tenant, f"user{number:03d}", created_at=world.clock.advance(seconds=1))
    start = StartUserExport(world.uow, world.clock, world.ids)
    job = await start(StartExportCommand(actor=actor(owner), request=ExportRequest(format=ExportFormat.CSV)))
    async with world.uow() as uow:
        await uow.jobs.start(job.tenant_id, job.id, world.clock.now())
        await uow.commit()
    return world, job


def _activities(world: World, storage: InMemoryFileStorage) -> ExportActivities:
    return ExportActivities(
        ExportUsers(world.uow, storage, world.clock, page_size=2), FinishJob(world.uow, world.clock, world.ids)
    )


async def test_the_export_returns_its_file_and_rows_and_heartbeats_every_page() -> None:
    world, job = await _world_with_export(4)
    storage = InMemoryFileStorage()
    environment = ActivityEnvironment()
    heartbeats: list[tuple[object, ...]] = []
    environment.on_heartbeat = lambda *details: heartbeats.append(details)

    outcome = await environment.run(_activities(world, storage).export_users, JobRef(job.id, job.tenant_id))

    assert outcome == ExportOutcome(result_key=f"jobs/{job.id}/result.csv", rows=5)
    assert heartbeats == [(0,), (2,), (4,), (5,)]
    assert storage.files[outcome.result_key].count(b"\r\n") == 1 + 5


async def test_finishing_the_export_sets_the_counts_the_result_and_the_email() -> None:
    world, job = await _world_with_export(2)
    ref = JobRef(job.id, job.tenant_id)
    finish = ExportFinish(ref, f"jobs/{job.id}/result.csv", 3)

    status = await ActivityEnvironment().run(_activities(world, InMemoryFileStorage()).finish_export, finish)
    again = await ActivityEnvironment().run(_activities(world, InMemoryFileStorage()).finish_export, finish)

    assert (status, again) == (JobStatus.SUCCEEDED, None)
    finished = world.db.jobs[job.id]
    assert finished.status is JobStatus.SUCCEEDED
    assert finished.progress == JobProgress(total=3, processed=3, succeeded=3, failed=0)
    assert finished.result_key == f"jobs/{job.id}/result.csv"
    emails = [message for message in world.db.outbox if message.kind is MessageKind.SEND_EMAIL]
    assert [message.payload["context"] for message in emails] == [
        {"job_id": str(job.id), "job_name": "User export", "job_status": "succeeded"}
    ]


async def test_an_export_whose_requester_lost_the_right_is_not_retried() -> None:
    world, job = await _world_with_export(1)
    owner_id = job.requested_by
    world.db.users[owner_id] = dataclasses.replace(world.db.users[owner_id], roles=frozenset({Role.MEMBER}))

    with pytest.raises(ApplicationError) as raised:
        await ActivityEnvironment().run(
            _activities(world, InMemoryFileStorage()).export_users, JobRef(job.id, job.tenant_id)
        )

    assert raised.value.type == JOB_CANNOT_CONTINUE
    assert raised.value.non_retryable


async def test_parameters_that_are_not_an_exports_are_not_retried() -> None:
    world, job = await _world_with_export(1)
    world.db.jobs[job.id] = dataclasses.replace(world.db.jobs[job.id], parameters={"format": "xlsx"})

    with pytest.raises(ApplicationError) as raised:
        await ActivityEnvironment().run(
            _activities(world, InMemoryFileStorage()).export_users, JobRef(job.id, job.tenant_id)
        )

    assert raised.value.type == JOB_CANNOT_CONTINUE
    assert "xlsx" in raised.value.message
