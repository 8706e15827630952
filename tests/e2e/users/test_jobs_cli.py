"""``keel jobs`` as an operator runs it — a process, settings from the environment — with a worker running the job:
the import is followed to its end and its outcome decides the exit code; refusals are one line and exit 1."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from pathlib import Path

import httpx
import pytest
from import_support import import_csv
from welcome_support import running_worker, with_temporal

from fakes.deliver_email import FakeDeliverEmail
from keel.settings import Settings
from support.api import SignUp
from support.temporal import TEMPORAL_GROUP, DevServer

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.xdist_group(TEMPORAL_GROUP)]


@pytest.fixture
def temporal_settings(settings: Settings, temporal_dev_server: DevServer) -> Settings:
    settings = with_temporal(settings, temporal_dev_server.address)
    temporal = settings.temporal.model_copy(update={"task_queue": f"keel-{uuid.uuid4()}"})
    return settings.model_copy(update={"temporal": temporal})


async def _keel(settings: Settings, *arguments: str, cwd: Path) -> tuple[int, str, str]:
    environment = {name: value for name, value in os.environ.items() if not name.startswith("KEEL_")} | {
        "KEEL_ENVIRONMENT": "test",
        "KEEL_DATABASE__URL": settings.database.url,
        "KEEL_CACHE__MODE": "off",
        "KEEL_JOBS__STORAGE_DIR": str(settings.jobs.storage_dir),
        "KEEL_OBSERVABILITY__LOG_LEVEL": "WARNING",
        "COLUMNS": "120",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "keel", "jobs", *arguments, cwd=cwd, env=environment,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    stdout, stderr = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


async def test_an_import_is_followed_to_its_end_and_its_status_can_be_read(
    client: httpx.AsyncClient, sign_up: SignUp, temporal_settings: Settings, tmp_path: Path
) -> None:
    owner = await sign_up()
    data = tmp_path / "users.csv"
    data.write_bytes(import_csv(30, domain="cli.example", bad={7: "nope,bad7,Bad,member\n"}))

    async with running_worker(temporal_settings, FakeDeliverEmail()) as ready:
        await ready.wait()
        code, stdout, stderr = await _keel(temporal_settings, "import", str(data), "--tenant", owner.tenant_slug,
                                           cwd=tmp_path)  # fmt: skip

    assert code == 0, stderr
    assert "queued: 30 rows" in stdout
    assert "import succeeded — 30/30 rows, 29 succeeded, 1 failed" in stdout
    job_id = stdout.split("job ", 1)[1].split(" ", 1)[0]
    code, stdout, _ = await _keel(temporal_settings, "status", job_id, cwd=tmp_path)
    assert code == 0
    assert f"job {job_id}: import succeeded" in stdout


async def test_refusals_are_one_line_and_exit_1(
    client: httpx.AsyncClient, sign_up: SignUp, temporal_settings: Settings, tmp_path: Path
) -> None:
    owner = await sign_up()
    bad_header = tmp_path / "bad.csv"
    bad_header.write_bytes(b"email,name\nada@x.example,ada\n")

    refused = await _keel(temporal_settings, "import", str(bad_header), "--tenant", owner.tenant_slug, cwd=tmp_path)
    no_tenant = await _keel(temporal_settings, "import", str(bad_header), "--tenant", "nowhere", cwd=tmp_path)
    no_user = await _keel(temporal_settings, "import", str(bad_header), "--tenant", owner.tenant_slug,
                          "--as", "ghost@nowhere.example", cwd=tmp_path)  # fmt: skip
    no_job = await _keel(temporal_settings, "status", str(uuid.uuid4()), cwd=tmp_path)

    assert refused[0] == 1
    assert refused[2].startswith("keel jobs import: The first line must be the header")
    assert (no_tenant[0], no_tenant[2].strip()) == (1, "keel jobs import: No tenant 'nowhere'.")
    assert no_user[0] == 1
    assert "has no user 'ghost@nowhere.example'" in no_user[2]
    assert (no_job[0], no_job[2].strip()) == (1, "keel jobs status: No such job.")
