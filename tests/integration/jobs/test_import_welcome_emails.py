"""Imported users get the welcome email only when the import asks for it (``send_welcome_email``, off by default):
the choice is kept in the job's parameters, and each chunk writes one welcome message per user it created, or none."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from conftest import HEADER, provided, upload
from keel.application.jobs import ImportChunkCommand, ImportUsersChunk, JobRef, StartJob
from keel.application.users import Actor, CreateUsersBatch
from keel.container import Container
from keel.infrastructure.database.models.outbox import outbox_table
from keel.infrastructure.database.models.users import users_table
from keel.settings import Settings

pytestmark = pytest.mark.integration

ROWS = b"ada@acme.example,ada,Ada,member\nnot-an-email,bob,Bob,member\ncarol@acme.example,carol,Carol,admin\n"


async def _import_all(container: Container, owner: Actor, *, send_welcome_email: bool) -> JobRef:
    """Upload ROWS and run its one chunk; the job's reference."""
    job = await upload(container, owner, HEADER + ROWS, send_welcome_email=send_welcome_email)
    uow = await provided(container.uow_factory)
    ref = JobRef(job.id, job.tenant_id)
    start = await StartJob(uow, container.file_storage(), container.clock())(ref)
    assert start is not None
    batch = CreateUsersBatch(uow, container.password_hasher(), container.clock(), container.ids())
    chunk = ImportUsersChunk(uow, container.file_storage(), batch, container.clock(), chunk_size=10)
    outcome = await chunk(
        ImportChunkCommand(job_id=job.id, tenant_id=job.tenant_id, index=0, offset=start.offset, line=start.line)
    )
    assert (outcome.done, outcome.succeeded, len(outcome.errors)) == (True, 2, 1)
    return ref


async def _welcome_recipients(settings: Settings, owner: Actor) -> list[str]:
    """The usernames the outbox holds a welcome email for, sorted, but the owner's (welcomed at the sign-up)."""
    engine = create_async_engine(settings.database.url)
    try:
        async with engine.connect() as connection:
            recipients = outbox_table.c.payload["recipient_user_id"].astext
            statement = (
                select(users_table.c.username)
                .join(outbox_table, users_table.c.id == recipients.cast(users_table.c.id.type))
                .where(outbox_table.c.payload["template"].astext == "welcome", users_table.c.id != owner.user_id)
                .order_by(users_table.c.username)
            )
            return list((await connection.execute(statement)).scalars())
    finally:
        await engine.dispose()


async def test_an_import_creates_its_users_without_welcome_emails_by_default(
    container: Container, owner: Actor, settings: Settings
) -> None:
    ref = await _import_all(container, owner, send_welcome_email=False)

    job = await (await provided(container.get_any_job))(ref.job_id)
    assert job.parameters == {"send_welcome_email": False}
    assert job.progress.succeeded == 2
    assert await _welcome_recipients(settings, owner) == []


async def test_an_import_asked_to_welcome_its_users_writes_one_welcome_email_per_created_user(
    container: Container, owner: Actor, settings: Settings
) -> None:
    ref = await _import_all(container, owner, send_welcome_email=True)

    job = await (await provided(container.get_any_job))(ref.job_id)
    assert job.parameters == {"send_welcome_email": True}
    assert await _welcome_recipients(settings, owner) == ["ada", "carol"]
