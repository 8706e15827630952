"""Jobs on the worker's migrated database (emptied after each test), through the container as the app and the worker
build it: a tenant with its owner, an uploaded import, and the use cases that run it."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from keel.application.jobs import Job, StartImportCommand
from keel.application.tenants import CreateTenantCommand
from keel.application.users import Actor
from keel.container import Container, build_container, running
from keel.settings import Settings

HEADER = b"email,username,full_name,roles\n"


async def provided(provider: Callable[[], Any]) -> Any:
    """What a container provider gives, awaited when it depends on an async resource."""
    value = provider()
    return await value if inspect.isawaitable(value) else value


@pytest.fixture
async def container(settings: Settings) -> AsyncIterator[Container]:
    container = build_container(settings)
    async with running(container):
        yield container


@pytest.fixture
async def owner(container: Container) -> Actor:
    create_tenant = await provided(container.create_tenant)
    created = await create_tenant(
        CreateTenantCommand(
            slug="acme", name="Acme", owner_email="olive@acme.example", owner_username="olive",
            owner_password="correct horse battery staple",
        )
    )  # fmt: skip
    return Actor(user_id=created.owner.id, tenant_id=created.tenant.id, roles=created.owner.roles)


async def _content(data: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(data), 7):  # small pieces: records cross chunk boundaries
        yield data[start : start + 7]


async def upload(container: Container, actor: Actor, data: bytes, *, send_welcome_email: bool = False) -> Job:
    start_import = await provided(container.start_user_import)
    command = StartImportCommand(actor=actor, content=_content(data), send_welcome_email=send_welcome_email)
    job: Job = await start_import(command)
    return job
