"""``keel jobs import --send-welcome-email``: the choice is kept with the job, off without the flag (``--no-wait``: the
job is only queued here, no worker runs it)."""

from __future__ import annotations

import asyncio
import inspect
import os
import sys
from pathlib import Path
from uuid import UUID

import httpx
import pytest
from import_support import import_csv

from keel.application.jobs import Job
from keel.settings import Settings
from support.api import SignUp

pytestmark = [pytest.mark.e2e]


async def _queue_import(settings: Settings, tenant: str, data: Path, *flags: str) -> UUID:
    environment = {name: value for name, value in os.environ.items() if not name.startswith("KEEL_")} | {
        "KEEL_ENVIRONMENT": "test",
        "KEEL_DATABASE__URL": settings.database.url,
        "KEEL_CACHE__MODE": "off",
        "KEEL_JOBS__STORAGE_DIR": str(settings.jobs.storage_dir),
        "KEEL_OBSERVABILITY__LOG_LEVEL": "WARNING",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "keel", "jobs", "import", str(data), "--tenant", tenant, "--no-wait", *flags,
        cwd=data.parent, env=environment, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    stdout, stderr = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, stderr.decode()
    return UUID(stdout.decode().split("job ", 1)[1].split(" ", 1)[0])


async def _job(client: httpx.AsyncClient, job_id: UUID) -> Job:
    get_any_job = client._transport.app.state.container.get_any_job()  # type: ignore[attr-defined]
    if inspect.isawaitable(get_any_job):
        get_any_job = await get_any_job
    job: Job = await get_any_job(job_id)
    return job


async def test_the_flag_asks_for_welcome_emails_and_its_absence_does_not(
    client: httpx.AsyncClient, sign_up: SignUp, settings: Settings, tmp_path: Path
) -> None:
    owner = await sign_up()
    data = tmp_path / "users.csv"
    data.write_bytes(import_csv(3, domain="cli.example"))

    quiet = await _queue_import(settings, owner.tenant_slug, data)
    welcomed = await _queue_import(settings, owner.tenant_slug, data, "--send-welcome-email")

    assert (await _job(client, quiet)).parameters == {"send_welcome_email": False}
    assert (await _job(client, welcomed)).parameters == {"send_welcome_email": True}
