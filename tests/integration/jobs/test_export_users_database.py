"""An export on real PostgreSQL: the job's tenant's users only, deleted ones only when asked, the list's filters, the
keyset pages, progress between pages, and a cancel seen at the next page."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import create_async_engine

from conftest import provided
from keel.application.jobs import (
    ExportFormat,
    ExportRequest,
    ExportUsers,
    FileStorage,
    Job,
    JobProgress,
    JobQuery,
    JobRef,
    JobStatus,
    StartExportCommand,
    StartJob,
)
from keel.application.tenants import CreateTenantCommand
from keel.application.users import Actor, CreateUsersBatchCommand, InvitedUser, UserQuery
from keel.container import Container
from keel.domain.tenants import TenantSlug
from keel.domain.users import Role, UserStatus
from keel.infrastructure.database.models.users import users_table
from keel.settings import Settings

pytestmark = pytest.mark.integration


async def _invite(container: Container, actor: Actor, *users: tuple[str, str, str]) -> None:
    """Users ``(username, full name, role)`` with email ``<username>@<tenant>.example``, in this order."""
    batch = await provided(container.create_users_batch)
    result = await batch(
        CreateUsersBatchCommand(
            actor=actor,
            users=[
                InvitedUser(email=f"{name}@x.example", username=name, full_name=full_name, roles=[role])
                for name, full_name, role in users
            ],
        )
    )
    assert not result.errors


async def _alter(settings: Settings, username: str, **values: object) -> None:
    engine = create_async_engine(settings.database.url)
    try:
        async with engine.begin() as connection:
            await connection.execute(update(users_table).where(users_table.c.username == username).values(**values))
    finally:
        await engine.dispose()


async def _globex(container: Container) -> Actor:
    create_tenant = await provided(container.create_tenant)
    created = await create_tenant(
        CreateTenantCommand(
            slug="globex", name="Globex", owner_email="gus@globex.example", owner_username="gus",
            owner_password="correct horse battery staple",
        )
    )  # fmt: skip
    return Actor(user_id=created.owner.id, tenant_id=created.tenant.id, roles=created.owner.roles)


@pytest.fixture
async def people(container: Container, owner: Actor, settings: Settings) -> Actor:
    """Acme: olive (owner), ada, adam (disabled), bob (admin), calc (a formula name), gone (deleted).
    Globex: gus (owner), eve."""
    await _invite(
        container, owner,
        ("ada", "Ada Lovelace", "member"), ("adam", "Adam Smith", "member"), ("bob", "Bob", "admin"),
        ("calc", "=1+2", "member"), ("gone", "Gone Adams", "member"),
    )  # fmt: skip
    await _alter(settings, "adam", status=UserStatus.DISABLED.value)
    await _alter(settings, "gone", deleted_at=users_table.c.created_at)
    globex = await _globex(container)
    await _invite(container, globex, ("eve", "Eve Adamson", "member"))
    return owner


async def _run(container: Container, actor: Actor, request: ExportRequest, page_size: int = 2) -> tuple[Job, bytes]:
    start_export = await provided(container.start_user_export)
    job = await start_export(StartExportCommand(actor=actor, request=request))
    uow = await provided(container.uow_factory)
    ref = JobRef(job.id, job.tenant_id)
    assert await StartJob(uow, container.file_storage(), container.clock())(ref) is not None
    result = await ExportUsers(uow, container.file_storage(), container.clock(), page_size=page_size)(ref)
    assert result is not None
    content = b"".join([chunk async for chunk in container.file_storage().read(result.result_key)])
    assert result.size == len(content)
    return job, content


def _usernames(content: bytes) -> list[str]:
    return [row["username"] for row in csv.DictReader(io.StringIO(content.decode("utf-8"), newline=""))]


async def test_an_export_holds_the_tenants_live_users_in_creation_order(container: Container, people: Actor) -> None:
    job, content = await _run(container, people, ExportRequest(format=ExportFormat.CSV))

    assert _usernames(content) == ["olive", "ada", "adam", "bob", "calc"]
    rows = list(csv.reader(io.StringIO(content.decode("utf-8"), newline="")))
    assert rows[0][:6] == ["id", "email", "username", "full_name", "roles", "status"]
    calc = next(row for row in rows if row[2] == "calc")
    assert calc[3] == "'=1+2"
    assert next(row for row in rows if row[2] == "adam")[5] == "disabled"
    get_job = await provided(container.get_job)
    progressed = await get_job(JobQuery(actor=people, job_id=job.id))
    assert progressed.progress == JobProgress(None, 4, 4, 0)  # after the two full pages
    assert progressed.progress_at is not None


async def test_deleted_users_only_with_include_deleted(container: Container, people: Actor) -> None:
    _, content = await _run(
        container, people, ExportRequest(format=ExportFormat.CSV, filters=UserQuery(include_deleted=True))
    )

    assert _usernames(content) == ["olive", "ada", "adam", "bob", "calc", "gone"]


async def test_the_lists_filters_choose_the_users(container: Container, people: Actor) -> None:
    _, by_search = await _run(
        container, people, ExportRequest(format=ExportFormat.JSONL, filters=UserQuery(q="ADA", include_deleted=True))
    )
    _, by_status = await _run(
        container, people, ExportRequest(format=ExportFormat.CSV, filters=UserQuery(status=UserStatus.DISABLED))
    )
    _, by_role = await _run(
        container, people, ExportRequest(format=ExportFormat.CSV, filters=UserQuery(role=Role.ADMIN))
    )

    assert [json.loads(line)["username"] for line in by_search.decode("utf-8").splitlines()] == ["ada", "adam", "gone"]
    assert _usernames(by_status) == ["adam"]
    assert _usernames(by_role) == ["bob"]


async def test_another_tenants_export_holds_only_its_users(container: Container, people: Actor) -> None:
    globex = await _globex_actor(container)

    _, content = await _run(container, globex, ExportRequest(format=ExportFormat.CSV), page_size=1)

    assert _usernames(content) == ["gus", "eve"]


class _CancellingStorage:
    """The container's storage, cancelling the job (as ``POST /jobs/{id}/cancel`` does) once the first page passed."""

    def __init__(self, inner: FileStorage, cancel: Callable[[], Awaitable[object]]) -> None:
        self._inner = inner
        self._cancel = cancel

    async def write(self, key: str, chunks: AsyncIterable[bytes]) -> int:
        async def passing() -> AsyncIterator[bytes]:
            count = 0
            async for chunk in chunks:
                yield chunk
                count += 1
                if count == 2:  # the header, then the first page
                    await self._cancel()

        return await self._inner.write(key, passing())

    def read(self, key: str, *, offset: int = 0) -> AsyncIterator[bytes]:
        return self._inner.read(key, offset=offset)

    async def delete(self, key: str) -> None:
        await self._inner.delete(key)


async def test_a_job_cancelled_during_the_export_stops_it_at_the_next_page_without_a_file(
    container: Container, people: Actor, settings: Settings
) -> None:
    start_export = await provided(container.start_user_export)
    job = await start_export(StartExportCommand(actor=people, request=ExportRequest(format=ExportFormat.CSV)))
    uow = await provided(container.uow_factory)
    ref = JobRef(job.id, job.tenant_id)
    await StartJob(uow, container.file_storage(), container.clock())(ref)
    cancel = await provided(container.cancel_job)
    storage = _CancellingStorage(container.file_storage(), lambda: cancel(JobQuery(actor=people, job_id=job.id)))
    pages: list[int] = []

    result = await ExportUsers(uow, storage, container.clock(), page_size=2)(ref, on_page=pages.append)

    assert result is None
    assert pages == [2]
    assert not [path for path in settings.jobs.storage_dir.rglob("*") if path.is_file()]
    get_job = await provided(container.get_job)
    cancelled = await get_job(JobQuery(actor=people, job_id=job.id))
    assert cancelled.status is JobStatus.CANCELLED
    assert cancelled.progress == JobProgress()
    assert await ExportUsers(uow, container.file_storage(), container.clock(), page_size=2)(ref) is None


async def _globex_actor(container: Container) -> Actor:
    uow = await provided(container.uow_factory)
    async with uow(read_only=True) as unit:
        tenant = await unit.tenants.get_by_slug(TenantSlug("globex"))
        assert tenant is not None
        found = await unit.users.find(tenant.id, UserQuery(role=Role.OWNER), limit=1)
    return Actor(user_id=found[0].id, tenant_id=tenant.id, roles=found[0].roles)
