"""``keel maintenance run`` as an operator runs it: a process on the real database, the counts on one line."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from maintenance_support import add_job, days_ago, delete, new_tenant, new_user, user_ids

from keel.application.jobs import JobStatus
from keel.container import Container, build_container, running
from keel.settings import Settings

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Run:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
async def container(settings: Settings) -> AsyncIterator[Container]:
    container = build_container(settings)
    async with running(container):
        yield container


async def keel_maintenance_run(database: str, cwd: Path, **variables: str) -> Run:
    environment = {name: value for name, value in os.environ.items() if not name.startswith("KEEL_")} | {
        "KEEL_ENVIRONMENT": "test",
        "KEEL_DATABASE__URL": database,
        "KEEL_CACHE__MODE": "off",
        "KEEL_OBSERVABILITY__LOG_LEVEL": "WARNING",
        **variables,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "keel", "maintenance", "run",
        cwd=cwd, env=environment, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    stdout, stderr = await process.communicate()
    assert process.returncode is not None
    return Run(process.returncode, stdout.decode(), stderr.decode())


async def test_run_purges_and_fails_stale_jobs_and_prints_the_counts(
    container: Container, settings: Settings, tmp_path: Path
) -> None:
    acme = await new_tenant(container)
    now = container.clock().now()
    old, recent = await new_user(container, acme, "ann"), await new_user(container, acme, "bob")
    await delete(container, acme, old, deleted_at=days_ago(now, 8))
    await delete(container, acme, recent, deleted_at=days_ago(now, 6))
    await add_job(container, acme, JobStatus.QUEUED, created_at=now - timedelta(minutes=30))

    first = await keel_maintenance_run(
        settings.database.url,
        tmp_path,
        KEEL_MAINTENANCE__USER_RETENTION_DAYS="7",
        KEEL_MAINTENANCE__STALE_JOB_MINUTES="20",
    )

    assert (first.exit_code, first.stdout) == (
        0,
        "purged 1 user(s) deleted more than 7 day(s) ago; failed 1 job(s) without progress for 20 minute(s)\n",
    ), first.stderr
    assert await user_ids(container) == {acme.owner.user_id, recent}
    again = await keel_maintenance_run(settings.database.url, tmp_path, KEEL_MAINTENANCE__USER_RETENTION_DAYS="7")
    assert again.stdout.startswith("purged 0 user(s) deleted more than 7 day(s) ago; failed 0 job(s)")


async def test_a_retention_out_of_bounds_is_refused_naming_the_variable(settings: Settings, tmp_path: Path) -> None:
    run = await keel_maintenance_run(settings.database.url, tmp_path, KEEL_MAINTENANCE__USER_RETENTION_DAYS="0")
    assert run.exit_code == 2
    assert run.stdout == ""
    assert "KEEL_MAINTENANCE__USER_RETENTION_DAYS: Input should be greater than or equal to 1" in run.stderr


async def test_an_unreachable_database_is_one_line_and_exit_1(tmp_path: Path) -> None:
    run = await keel_maintenance_run("postgresql+asyncpg://postgres@127.0.0.1:1/nowhere", tmp_path)
    assert (run.exit_code, run.stdout) == (1, "")
    assert run.stderr.strip().startswith("keel maintenance run: ")
    assert len(run.stderr.strip().splitlines()) == 1
