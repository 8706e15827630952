"""Starting an export (the job and its start message in one transaction) and writing its file page by page, on fakes:
the tenant's users only, the filters, progress between pages, and stopping when the job is cancelled meanwhile."""

from __future__ import annotations

import csv
import dataclasses
import io
import json

import pytest

from fakes.storage import InMemoryFileStorage
from fakes.world import World, actor
from keel.application.errors import PermissionDenied
from keel.application.jobs import (
    ExportFormat,
    ExportRequest,
    ExportUsers,
    FinishJob,
    FinishJobCommand,
    InvalidExportParameters,
    Job,
    JobKind,
    JobProgress,
    JobRef,
    JobStatus,
    RequesterGone,
    StartExportCommand,
    StartUserExport,
)
from keel.application.outbox import MessageKind
from keel.application.users import UserQuery
from keel.domain.tenants import Tenant
from keel.domain.users import Role, User, UserStatus


def _export_users(world: World, storage: InMemoryFileStorage, page_size: int = 2) -> ExportUsers:
    return ExportUsers(world.uow, storage, world.clock, page_size=page_size)


def _users(world: World, tenant: Tenant, names: list[str], **fields: object) -> list[User]:
    """Users created one second apart, in the order given (the export's order)."""
    created = []
    for name in names:
        moment = world.clock.advance(seconds=1)
        created.append(world.user(tenant, name, created_at=moment, updated_at=moment, **fields))
    return created


async def _start(world: World, owner: User, request: ExportRequest) -> Job:
    start = StartUserExport(world.uow, world.clock, world.ids)
    return await start(StartExportCommand(actor=actor(owner), request=request))


async def _running_export(world: World, owner: User, request: ExportRequest) -> Job:
    job = await StartUserExport(world.uow, world.clock, world.ids)(
        StartExportCommand(actor=actor(owner), request=request)
    )
    async with world.uow() as uow:
        started = await uow.jobs.start(job.tenant_id, job.id, world.clock.now())
        await uow.commit()
    assert started is not None
    return started


def _csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


async def test_starting_an_export_writes_the_job_and_its_start_message_together() -> None:
    world = World()
    tenant = world.tenant()
    owner = world.user(tenant, "olive", roles=[Role.OWNER])
    request = ExportRequest(format=ExportFormat.JSONL, filters=UserQuery(status=UserStatus.DISABLED, q=" ada "))

    job = await StartUserExport(world.uow, world.clock, world.ids)(
        StartExportCommand(actor=actor(owner), request=request)
    )

    assert world.db.jobs[job.id] == job
    assert (job.kind, job.status, job.tenant_id, job.requested_by) == (
        JobKind.EXPORT, JobStatus.QUEUED, tenant.id, owner.id,
    )  # fmt: skip
    assert job.parameters == {
        "format": "jsonl",
        "filters": {"status": "disabled", "role": None, "q": "ada", "include_deleted": False},
    }
    assert job.progress == JobProgress()
    (message,) = world.db.outbox
    assert (message.id, message.kind, message.tenant_id) == (job.id, MessageKind.START_EXPORT, tenant.id)
    assert message.payload == {"job_id": str(job.id), "tenant_id": str(tenant.id)}
    assert ExportRequest.from_parameters(job.parameters) == request


async def test_a_member_may_not_export_and_nothing_is_written() -> None:
    world = World()
    member = world.user(world.tenant(), "mel")

    with pytest.raises(PermissionDenied):
        await StartUserExport(world.uow, world.clock, world.ids)(
            StartExportCommand(actor=actor(member), request=ExportRequest(format=ExportFormat.CSV))
        )

    assert world.db.jobs == {}
    assert world.db.outbox == []


@pytest.mark.parametrize(
    "parameters",
    [
        {"format": "xml", "filters": {}},
        {"format": "csv", "filters": []},
        {"format": "csv", "filters": {"status": "sleeping"}},
        {"format": "csv", "filters": {"role": "wizard"}},
        {"format": "csv", "filters": {"include_deleted": "yes"}},
    ],
    ids=["format", "filters", "status", "role", "include_deleted"],
)
def test_parameters_that_are_not_an_exports_are_refused(parameters: dict[str, object]) -> None:
    with pytest.raises(InvalidExportParameters):
        ExportRequest.from_parameters(parameters)  # type: ignore[arg-type]


async def test_the_export_writes_the_tenants_matching_users_in_creation_order_page_by_page() -> None:
    world = World()
    tenant, other = world.tenant(), world.tenant("globex")
    owner = world.user(tenant, "olive", roles=[Role.OWNER], created_at=world.clock.now())
    users = _users(world, tenant, ["ada", "bob", "cyd", "dee", "eve"])
    _users(world, tenant, ["gone"], deleted_at=world.clock.now())
    _users(world, other, ["stranger"])
    storage = InMemoryFileStorage()
    job = await _running_export(world, owner, ExportRequest(format=ExportFormat.CSV))
    pages: list[int] = []

    result = await _export_users(world, storage)(JobRef(job.id, tenant.id), on_page=pages.append)

    assert result is not None
    assert (result.result_key, result.rows) == (f"jobs/{job.id}/result.csv", 6)
    assert result.size == len(storage.files[result.result_key])
    rows = _csv(storage.files[result.result_key])
    assert [row["username"] for row in rows] == ["olive", "ada", "bob", "cyd", "dee", "eve"]
    assert rows[1]["id"] == str(users[0].id)
    assert pages == [2, 4, 6, 6]  # three full pages, then an empty one that ends the export
    progressed = world.db.jobs[job.id]
    assert progressed.progress == JobProgress(None, 6, 6, 0)  # set after each full page; finishing sets the total
    assert progressed.status is JobStatus.RUNNING


async def test_the_filters_and_include_deleted_choose_the_users_in_json_lines() -> None:
    world = World()
    tenant = world.tenant()
    owner = world.user(tenant, "olive", roles=[Role.OWNER])
    _users(world, tenant, ["ada", "adam"], status=UserStatus.DISABLED)
    _users(world, tenant, ["adele"], status=UserStatus.DISABLED, deleted_at=world.clock.now())
    _users(world, tenant, ["adrian"])
    _users(world, tenant, ["bob"], status=UserStatus.DISABLED)
    storage = InMemoryFileStorage()
    request = ExportRequest(
        format=ExportFormat.JSONL, filters=UserQuery(status=UserStatus.DISABLED, q="AD", include_deleted=True)
    )
    job = await _running_export(world, owner, request)

    result = await _export_users(world, storage)(JobRef(job.id, tenant.id))

    assert result is not None
    lines = storage.files[f"jobs/{job.id}/result.jsonl"].decode("utf-8").splitlines()
    assert [json.loads(line)["username"] for line in lines] == ["ada", "adam", "adele"]
    assert result.rows == 3


async def test_a_job_cancelled_between_pages_stops_the_export_and_leaves_no_file() -> None:
    world = World()
    tenant = world.tenant()
    owner = world.user(tenant, "olive", roles=[Role.OWNER])
    _users(world, tenant, ["ada", "bob", "cyd", "dee", "eve"])
    storage = InMemoryFileStorage()
    job = await _running_export(world, owner, ExportRequest(format=ExportFormat.CSV))
    finish = FinishJob(world.uow, world.clock, world.ids)
    pages: list[int] = []

    def cancel_after_first_page(rows: int) -> None:
        pages.append(rows)
        if len(pages) == 1:
            world.db.jobs[job.id] = dataclasses.replace(
                world.db.jobs[job.id], status=JobStatus.CANCELLED, finished_at=world.clock.now()
            )

    result = await _export_users(world, storage)(JobRef(job.id, tenant.id), on_page=cancel_after_first_page)

    assert result is None
    assert pages == [2]
    assert storage.files == {}
    assert storage.writes == 1
    assert world.db.jobs[job.id].progress == JobProgress()
    assert await finish(FinishJobCommand(job=JobRef(job.id, tenant.id), status=JobStatus.SUCCEEDED)) is None


async def test_a_job_that_is_not_running_exports_nothing() -> None:
    world = World()
    tenant = world.tenant()
    owner = world.user(tenant, "olive", roles=[Role.OWNER])
    storage = InMemoryFileStorage()
    job = await StartUserExport(world.uow, world.clock, world.ids)(
        StartExportCommand(actor=actor(owner), request=ExportRequest(format=ExportFormat.CSV))
    )

    assert await _export_users(world, storage)(JobRef(job.id, tenant.id)) is None
    assert storage.writes == 0


async def test_an_export_whose_requester_is_gone_or_demoted_cannot_continue() -> None:
    world = World()
    tenant = world.tenant()
    owner = world.user(tenant, "olive", roles=[Role.OWNER])
    storage = InMemoryFileStorage()
    job = await _running_export(world, owner, ExportRequest(format=ExportFormat.CSV))

    world.db.users[owner.id] = dataclasses.replace(world.db.users[owner.id], roles=frozenset({Role.MEMBER}))
    with pytest.raises(PermissionDenied):
        await _export_users(world, storage)(JobRef(job.id, tenant.id))
    world.db.users[owner.id] = dataclasses.replace(world.db.users[owner.id], deleted_at=world.clock.now())
    with pytest.raises(RequesterGone):
        await _export_users(world, storage)(JobRef(job.id, tenant.id))
    assert storage.writes == 0


async def test_a_retried_export_rewrites_the_whole_file() -> None:
    world = World()
    tenant = world.tenant()
    owner = world.user(tenant, "olive", roles=[Role.OWNER])
    _users(world, tenant, ["ada", "bob"])
    storage = InMemoryFileStorage()
    job = await _running_export(world, owner, ExportRequest(format=ExportFormat.CSV))
    export = _export_users(world, storage)

    first = await export(JobRef(job.id, tenant.id))
    world.clock.advance(seconds=1)
    _users(world, tenant, ["cyd"])
    second = await export(JobRef(job.id, tenant.id))

    assert first is not None
    assert second is not None
    assert (first.rows, second.rows) == (3, 4)
    assert [row["username"] for row in _csv(storage.files[second.result_key])] == ["olive", "ada", "bob", "cyd"]
    assert storage.writes == 2
