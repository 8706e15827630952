"""What the workflow scenarios of the resilience suite share: the app's settings pointed at a private Temporal and SMTP
server, users created over HTTP in parallel, and reading back what PostgreSQL holds (users, outbox, deliveries).

The app runs in the test's process (``client``); the worker runs as ``keel worker`` (``support.private_worker``) with
the same settings, so the two share the database, the task queues and the job files.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from typing import Any

import httpx
from sqlalchemy import Executable, func, select
from sqlalchemy.ext.asyncio import create_async_engine

from keel.infrastructure.database.models.email_deliveries import email_deliveries_table
from keel.infrastructure.database.models.outbox import outbox_table
from keel.infrastructure.database.models.users import users_table
from keel.settings import Settings
from support.api import PASSWORD, Caller, log_in
from support.smtp import SmtpServer


def flow_settings(
    settings: Settings, *, temporal_address: str, smtp: SmtpServer | None = None, chunk_size: int | None = None
) -> Settings:
    """``settings`` on Temporal at ``temporal_address`` (task queues of their own, a quick relay), sending mail to
    ``smtp``, importing ``chunk_size`` rows per chunk."""
    temporal = settings.temporal.model_copy(
        update={
            "address": temporal_address,
            "task_queue": f"keel-{uuid.uuid4()}",
            "email_task_queue": f"keel-email-{uuid.uuid4()}",
            "connect_timeout_seconds": 2.0,
            "outbox_poll_interval_seconds": 0.1,
            "outbox_backoff_initial_seconds": 0.1,
            "outbox_backoff_max_seconds": 1.0,
            "worker_shutdown_grace_seconds": 5.0,
        }
    )
    update: dict[str, Any] = {"temporal": temporal}
    if smtp is not None:
        update["email"] = settings.email.model_copy(
            update={"smtp_host": smtp.host, "smtp_port": smtp.port, "timeout_seconds": 5.0}
        )
    if chunk_size is not None:
        update["jobs"] = settings.jobs.model_copy(update={"import_chunk_size": chunk_size})
    return settings.model_copy(update=update)


async def create_users(
    client: httpx.AsyncClient, owner: Caller, emails: list[str], *, concurrency: int = 10
) -> Counter[int]:
    """``POST /api/v1/users`` once per address, ``concurrency`` at a time: how many answers of each status."""
    slots = asyncio.Semaphore(concurrency)

    async def create(email: str) -> int:
        async with slots:
            response = await client.post(
                "/api/v1/users",
                headers=owner.headers,
                json={"email": email, "username": email.split("@", maxsplit=1)[0], "password": PASSWORD},
            )
            return response.status_code

    return Counter(await asyncio.gather(*(create(email) for email in emails)))


async def fetch(database_url: str, statement: Executable) -> list[dict[str, Any]]:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            return [dict(row) for row in (await connection.execute(statement)).mappings()]
    finally:
        await engine.dispose()


async def count(database_url: str, statement: Executable) -> int:
    [row] = await fetch(database_url, statement)
    return int(next(iter(row.values())))


def count_users() -> Executable:
    return select(func.count()).select_from(users_table)


def undispatched() -> Executable:
    """The outbox rows not dispatched yet."""
    return select(outbox_table).where(outbox_table.c.dispatched_at.is_(None))


def count_undispatched() -> Executable:
    return select(func.count()).select_from(outbox_table).where(outbox_table.c.dispatched_at.is_(None))


def deliveries() -> Executable:
    return select(email_deliveries_table)


IMPORT_HEADER = "email,username,full_name,roles\n"


def import_csv(rows: int, *, domain: str, bad: dict[int, str]) -> bytes:
    """A CSV of ``rows`` valid rows (``user<n>@domain``), those numbered in ``bad`` (0-based) replaced as given."""
    lines = [bad.get(number, f"user{number}@{domain},user{number},User {number},member\n") for number in range(rows)]
    return (IMPORT_HEADER + "".join(lines)).encode("utf-8")


async def upload(client: httpx.AsyncClient, owner: Caller, content: bytes) -> httpx.Response:
    """``POST /api/v1/users/imports`` with ``content`` as the file."""
    return await client.post(
        "/api/v1/users/imports", headers=owner.headers, files={"file": ("users.csv", content, "text/csv")}
    )


async def job_view(client: httpx.AsyncClient, owner: Caller, job_id: str) -> dict[str, Any]:
    """The job as ``GET /api/v1/jobs/{id}`` shows it."""
    response = await client.get(f"/api/v1/jobs/{job_id}", headers=owner.headers)
    assert response.status_code == 200, response.text
    view: dict[str, Any] = response.json()
    return view


async def sign_up_owner(http: httpx.AsyncClient, slug: str) -> tuple[uuid.UUID, dict[str, str]]:
    """A new tenant ``slug`` whose owner is ``owner@<slug>.example``, logged in: the tenant's id and the owner's
    headers (for tests that drive the app through a client of their own rather than the ``sign_up`` fixture)."""
    email = f"owner@{slug}.example"
    owner = {"email": email, "username": f"{slug}owner", "password": PASSWORD}
    created = await http.post("/api/v1/tenants", json={"slug": slug, "name": slug.title(), "owner": owner})
    assert created.status_code == 201, created.text
    return uuid.UUID(created.json()["owner"]["tenant_id"]), await log_in(http, slug, email)
