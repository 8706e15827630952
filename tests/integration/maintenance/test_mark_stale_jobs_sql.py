"""MarkStaleJobs on real PostgreSQL: stale queued and running jobs fail once — with the time of their last progress
and one ``job_finished`` email each — fresh and finished ones stay, and two runs at once fail each job once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from maintenance_support import Tenant, add_job, new_tenant, provided, rows
from sqlalchemy import func, select

from keel.application.jobs import JobStatus
from keel.application.maintenance import MarkStaleJobs
from keel.application.outbox.messages import MessageKind
from keel.container import Container, build_container, running
from keel.infrastructure.database.models.jobs import jobs_table
from keel.infrastructure.database.models.outbox import outbox_table
from keel.settings import Settings

pytestmark = pytest.mark.integration

THRESHOLD = timedelta(minutes=60)


@pytest.fixture
async def container(settings: Settings) -> AsyncIterator[Container]:
    container = build_container(settings)
    async with running(container):
        yield container


async def marker(container: Container, batch_size: int = 100) -> MarkStaleJobs:
    uow = await provided(container.uow_factory)
    return MarkStaleJobs(uow, container.clock(), container.ids(), threshold=THRESHOLD, batch_size=batch_size)


async def job_states(container: Container) -> dict[object, tuple[str, str | None]]:
    jobs = jobs_table.c
    return {row.id: (row.status, row.error) for row in await rows(container, select(jobs.id, jobs.status, jobs.error))}


async def finished_emails(container: Container) -> list[str]:
    outbox = outbox_table.c
    messages = await rows(container, select(outbox.payload).where(outbox.kind == MessageKind.SEND_EMAIL.value))
    return sorted(row.payload["context"]["job_id"] for row in messages if row.payload["template"] == "job_finished")


def minutes_ago(now: datetime, minutes: float) -> datetime:
    return now - timedelta(minutes=minutes)


async def jobs_of_every_kind(container: Container, acme: Tenant) -> dict[str, object]:
    now = container.clock().now()
    return {
        "queued_long_ago": await add_job(container, acme, JobStatus.QUEUED, created_at=minutes_ago(now, 90)),
        "stuck": await add_job(
            container, acme, JobStatus.RUNNING, created_at=minutes_ago(now, 300), progress_at=minutes_ago(now, 61)
        ),
        "just_queued": await add_job(container, acme, JobStatus.QUEUED, created_at=minutes_ago(now, 5)),
        "progressing": await add_job(
            container, acme, JobStatus.RUNNING, created_at=minutes_ago(now, 300), progress_at=minutes_ago(now, 2)
        ),
        "over": await add_job(
            container, acme, JobStatus.SUCCEEDED, created_at=minutes_ago(now, 300), progress_at=minutes_ago(now, 200)
        ),
    }


async def test_stale_jobs_fail_with_their_last_progress_and_the_others_stay(container: Container) -> None:
    acme = await new_tenant(container)
    jobs = await jobs_of_every_kind(container, acme)
    before = await job_states(container)
    c = jobs_table.c
    last_progress = {
        row.id: row.last
        for row in await rows(container, select(c.id, func.coalesce(c.progress_at, c.created_at).label("last")))
    }

    assert await (await marker(container))() == 2

    after = await job_states(container)
    for name in ("queued_long_ago", "stuck"):
        since = last_progress[jobs[name]].isoformat(timespec="seconds")
        assert after[jobs[name]] == ("failed", f"No progress since {since}.")
    for name in ("just_queued", "progressing", "over"):
        assert after[jobs[name]] == before[jobs[name]]
    assert await finished_emails(container) == sorted(str(jobs[name]) for name in ("queued_long_ago", "stuck"))
    assert await (await marker(container))() == 0
    assert len(await finished_emails(container)) == 2


async def test_two_runs_at_once_fail_each_stale_job_once(container: Container) -> None:
    acme = await new_tenant(container)
    now = container.clock().now()
    stale = [await add_job(container, acme, JobStatus.QUEUED, created_at=minutes_ago(now, 120 + n)) for n in range(9)]

    counts = await asyncio.gather((await marker(container, batch_size=2))(), (await marker(container, batch_size=2))())

    assert sum(counts) == 9
    assert {state for state, _ in (await job_states(container)).values()} == {"failed"}
    assert await finished_emails(container) == sorted(str(job) for job in stale)  # one email each
