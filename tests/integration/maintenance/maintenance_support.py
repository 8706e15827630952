"""Set-up of the maintenance tests on real PostgreSQL: a tenant with its owner, users created and deleted through the
use cases, their deletion moved back in time, jobs written as a workflow would have left them."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import create_async_engine

from keel.application.jobs import JobKind, JobStatus
from keel.application.tenants import CreateTenantCommand
from keel.application.users import Actor, CreateUserCommand, DeleteUserCommand, NewUser
from keel.container import Container
from keel.domain.ids import uuid7
from keel.infrastructure.database.models.jobs import jobs_table
from keel.infrastructure.database.models.users import users_table

PASSWORD = "correct horse battery staple"


async def provided(provider: Callable[[], Any]) -> Any:
    value = provider()
    return await value if inspect.isawaitable(value) else value


@dataclass(frozen=True)
class Tenant:
    slug: str
    owner: Actor


async def new_tenant(container: Container, slug: str = "acme") -> Tenant:
    create_tenant = await provided(container.create_tenant)
    created = await create_tenant(
        CreateTenantCommand(
            slug=slug, name=slug.title(), owner_email=f"olive@{slug}.example", owner_username="olive",
            owner_password=PASSWORD,
        )
    )  # fmt: skip
    return Tenant(slug, Actor(user_id=created.owner.id, tenant_id=created.tenant.id, roles=created.owner.roles))


async def new_user(container: Container, tenant: Tenant, name: str) -> UUID:
    create_user = await provided(container.create_user)
    user = await create_user(
        CreateUserCommand(
            actor=tenant.owner, user=NewUser(email=f"{name}@{tenant.slug}.example", username=name, password=PASSWORD)
        )
    )
    return UUID(str(user.id))


async def delete(container: Container, tenant: Tenant, user_id: UUID, *, deleted_at: datetime) -> None:
    """Soft-delete through the use case, then say it happened at ``deleted_at`` (the clock of the test)."""
    delete_user = await provided(container.delete_user)
    await delete_user(DeleteUserCommand(actor=tenant.owner, user_id=user_id))
    await execute(container, update(users_table).where(users_table.c.id == user_id).values(deleted_at=deleted_at))


async def add_job(
    container: Container,
    tenant: Tenant,
    status: JobStatus,
    *,
    created_at: datetime,
    progress_at: datetime | None = None,
    requested_by: UUID | None = None,
) -> UUID:
    job_id = uuid7()
    values = {
        "id": job_id,
        "tenant_id": tenant.owner.tenant_id,
        "kind": JobKind.IMPORT.value,
        "status": status.value,
        "requested_by": requested_by or tenant.owner.user_id,
        "created_at": created_at,
        "started_at": progress_at,
        "progress_at": progress_at,
        "finished_at": progress_at if status.final else None,
    }
    await execute(container, insert(jobs_table).values(values))
    return job_id


async def execute(container: Container, statement: Any) -> None:
    engine = create_async_engine(container.settings().database.url)
    try:
        async with engine.begin() as connection:
            await connection.execute(statement)
    finally:
        await engine.dispose()


async def rows(container: Container, statement: Any) -> list[Any]:
    engine = create_async_engine(container.settings().database.url)
    try:
        async with engine.connect() as connection:
            return list((await connection.execute(statement)).all())
    finally:
        await engine.dispose()


async def user_ids(container: Container) -> set[UUID]:
    return {row.id for row in await rows(container, select(users_table.c.id))}


def days_ago(now: datetime, days: float) -> datetime:
    return now - timedelta(days=days)
