"""Scenario 4 — the worker is killed (SIGKILL) in the middle of a 20,000-row import, then started again.

The app in the test accepts the upload (20 rows of it bad, in four ways); a real ``keel worker`` process imports it
chunk after chunk until the job's progress shows some chunks done, and is killed then — no shutdown, the chunk under
way lost with its transaction. A new worker process takes over: Temporal gives the lost chunk to it once the dead
worker's heartbeat times out, and the chunk ledger makes every chunk count once. The job ends ``succeeded`` with
exact counts, PostgreSQL holds each imported user once, and the job has one error report naming the 20 bad lines.
"""

from __future__ import annotations

import csv
import io
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import distinct, func, select

from keel.infrastructure.database.models.outbox import outbox_table
from keel.infrastructure.database.models.users import users_table
from keel.settings import Settings
from support.api import SignUp
from support.polling import eventually
from support.private_flows import count, count_users, fetch, flow_settings, import_csv, job_view, upload
from support.private_temporal import PrivateTemporal, running_private_temporal
from support.private_worker import READY_SECONDS, environment_of, keel_worker
from support.resilience import Figures, RecordFigures
from support.smtp import SmtpServer

pytestmark = pytest.mark.resilience

ROWS = int(os.environ.get("KEEL_RESILIENCE_IMPORT_ROWS", "20000"))
"""20,000 rows by default (``KEEL_RESILIENCE_IMPORT_ROWS`` changes it). The users are imported quietly (the import's
default: no welcome email), so the worker's time goes to the import itself."""
CHUNK_SIZE = 500
KILL_AFTER_ROWS = ROWS // 4
"""The worker is killed once the job's progress shows at least this many rows processed (10 chunks of 40, and more)."""
BAD_FORMS = (
    "not-an-email,bad{n},Bad,member\n",
    "bad{n}@import.example,bad{n},Bad,wizard\n",  # unknown role
    "bad{n}@import.example,bad{n}\n",  # too few fields
    "bad{n}@import.example,bad {n}!,Bad,member\n",  # invalid username
)
BAD = {n: BAD_FORMS[i % len(BAD_FORMS)].format(n=n) for i, n in enumerate(range(250, ROWS, 500))}
"""One bad row in 500 (6 in 3,000, 40 in 20,000), in four ways."""
PROGRESS_WITHIN_SECONDS = READY_SECONDS + 60
"""The bound on a worker's first progress: its start, then (after the restart) the dead worker's heartbeat timeout."""
FINISH_WITHIN_SECONDS = 180 + ROWS // 20
"""The bound on the import's end after the restart (a bound for a failure, not a figure asserted)."""
POLL_SECONDS = 0.5
"""How often the test reads the job over the API (each read is a request to the app, in this process)."""
TERMINAL = {"succeeded", "failed", "cancelled"}


@pytest.fixture
def temporal(tmp_path: Path) -> Iterator[PrivateTemporal]:
    with running_private_temporal(tmp_path / "temporal", persistent=False) as server:  # only the worker is killed
        yield server


@pytest.fixture
def settings(settings: Settings, temporal: PrivateTemporal, smtp_server: SmtpServer) -> Settings:
    return flow_settings(settings, temporal_address=temporal.address, smtp=smtp_server, chunk_size=CHUNK_SIZE)


@pytest.mark.timeout(60 + 2 * PROGRESS_WITHIN_SECONDS + FINISH_WITHIN_SECONDS)
async def test_a_worker_killed_mid_import_leaves_a_job_its_successor_finishes_with_exact_counts(
    client: httpx.AsyncClient, sign_up: SignUp, settings: Settings, tmp_path: Path, resilience_figures: RecordFigures
) -> None:
    owner = await sign_up()
    accepted = await upload(client, owner, import_csv(ROWS, domain="import.example", bad=BAD))
    assert accepted.status_code == 202, accepted.text
    job_id = accepted.json()["job"]["id"]
    env = environment_of(settings)
    latest: dict[str, Any] = {}

    async def progressed(rows: int) -> bool:
        latest.update(await job_view(client, owner, job_id))
        assert latest["status"] not in TERMINAL, f"the job ended before the worker was killed: {latest}"
        return int(latest["progress"]["processed"]) >= rows

    with keel_worker(env, tmp_path, name="first") as first:
        await eventually(
            lambda: progressed(KILL_AFTER_ROWS), within_seconds=PROGRESS_WITHIN_SECONDS, every_seconds=POLL_SECONDS
        )
        assert first.kill() < 0
    # a chunk may have committed between the last read and the kill: read the job again, now that nothing runs it
    latest.update(await job_view(client, owner, job_id))
    at_kill = dict(latest["progress"])
    assert latest["status"] == "running"
    assert KILL_AFTER_ROWS <= at_kill["processed"] < ROWS

    with keel_worker(env, tmp_path, name="second") as second:
        restarted = time.monotonic()
        await eventually(
            lambda: progressed(at_kill["processed"] + 1),
            within_seconds=PROGRESS_WITHIN_SECONDS,
            every_seconds=POLL_SECONDS,
        )
        recovery_seconds = time.monotonic() - restarted

        async def finished() -> bool:
            latest.update(await job_view(client, owner, job_id))
            return latest["status"] in TERMINAL

        await eventually(finished, within_seconds=FINISH_WITHIN_SECONDS, every_seconds=POLL_SECONDS)
        assert second.process.poll() is None

    bad_count = len(BAD)
    assert latest["status"] == "succeeded", latest
    assert latest["progress"] == {"total": ROWS, "processed": ROWS, "succeeded": ROWS - bad_count, "failed": bad_count}
    database_url = settings.database.url
    assert await count(database_url, count_users()) == 1 + ROWS - bad_count  # the owner, and each import once
    assert await count(database_url, select(func.count(distinct(users_table.c.email)))) == 1 + ROWS - bad_count

    report = await client.get(latest["error_report_url"], headers=owner.headers)
    assert report.status_code == 200, report.text
    lines = list(csv.reader(io.StringIO(report.text)))
    assert lines[0] == ["line", "field", "error"]
    assert [int(line[0]) for line in lines[1:]] == [n + 2 for n in sorted(BAD)]  # line 1 is the header
    assert [
        path.relative_to(settings.jobs.storage_dir).as_posix() for path in settings.jobs.storage_dir.rglob("errors*")
    ] == [f"jobs/{job_id}/errors.csv"]

    job_finished = [
        row
        for row in await fetch(database_url, select(outbox_table).where(outbox_table.c.kind == "send_email"))
        if row["payload"]["template"] == "job_finished"
    ]
    assert len(job_finished) == 1

    resilience_figures(
        Figures(
            scenario=f"4. Worker killed mid-import ({ROWS:,} rows)",
            sent=ROWS,
            ok=latest["progress"]["succeeded"],
            client_errors=latest["progress"]["failed"],
            lost=ROWS - latest["progress"]["processed"],
            recovery_seconds=recovery_seconds,
            notes=f"SIGKILL at {at_kill['processed']:,} rows processed; {bad_count} bad rows in 1 error report; "
            f"users in PostgreSQL {1 + ROWS - bad_count:,} (owner + imported), no duplicate",
        )
    )
