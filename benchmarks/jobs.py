"""``python -m benchmarks.jobs`` (``make bench-jobs``): batch jobs on real services — figures printed, never asserted.

Starts a Temporal dev server (in memory), an SMTP sink (aiosmtpd, counting), and ``python -m keel worker`` as its own
process against a scratch database on the configured PostgreSQL (``KEEL_BENCH_DATABASE_URL``, default the local
``postgres`` database), then measures:

1. **emails**: 1,000 ``send_email`` outbox messages committed at once → the relay → 1,000 ``SendEmail`` workflows →
   the SMTP sink; wall time until the sink has them all (target ≤ 30 s);
2. **import**: a 100,000-row CSV through ``keel jobs import --no-wait`` (the API's use case) → the worker → the job
   ``succeeded``; wall time from the upload to the end, and the worker's resident memory sampled every 0.1 s: peak
   growth over its level before the upload (targets ≤ 60 s, ≤ 150 MB). Imported users get no welcome email (an
   import's default: ``--send-welcome-email`` asks for them), so the figure is the import's own.

Each phase also prints its rate and the CPU seconds the worker and the Temporal dev server spent in it, with the load
average: on a shared machine, the CPU time says what the work cost when the wall time says how busy the machine was.
Options: ``--only emails|import``, ``--rows N``, ``--set KEEL_NAME=VALUE`` (a worker setting, repeatable; e.g.
``--set KEEL_JOBS__IMPORT_CHUNK_SIZE=500`` to compare chunk sizes).

The export (100k and 1M users, constant memory) is measured by ``benchmarks.jobs_export``, the second command of
``make bench-jobs``. An import still running after
``KEEL_BENCH_IMPORT_DEADLINE_SECONDS`` (default 300) is reported by the rows it did and its rate.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import asyncpg
from aiosmtpd.controller import Controller

from benchmarks.job_probes import CpuMeter, parse_args, worker_settings
from benchmarks.scratch_db import ScratchDatabase, scratch_database
from benchmarks.servers import ServerProcess, free_port

REPO_ROOT: Final = Path(__file__).resolve().parent.parent
BIN: Final = Path(sys.executable).parent
EMAILS: Final = 1_000
IMPORT_TARGET_SECONDS: Final = 60.0
IMPORT_TARGET_RSS_MB: Final = 150.0
EMAIL_TARGET_SECONDS: Final = 30.0
DEADLINE_SECONDS: Final = 300.0
IMPORT_DEADLINE_SECONDS: Final = float(os.environ.get("KEEL_BENCH_IMPORT_DEADLINE_SECONDS", "300"))
"""How long the import may run before the figures are taken from the rows done so far."""
MB: Final = 1024 * 1024


class CountingSink:
    """An aiosmtpd handler that accepts every message and counts them."""

    def __init__(self) -> None:
        self.received = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            self.received += 1
        return "250 OK"


class RssSampler:
    """Samples a process's resident memory from /proc every ``interval`` seconds in a thread."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        self._path = Path(f"/proc/{pid}/status")
        self._interval = interval
        self._stop = threading.Event()
        self.peak = 0
        self._thread = threading.Thread(target=self._run, daemon=True)

    def now(self) -> int:
        try:
            for line in self._path.read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        except OSError:
            return 0
        return 0

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.now())
            self._stop.wait(self._interval)


def _environment(
    database: ScratchDatabase, scratch: Path, temporal: str, smtp_port: int, settings: dict[str, str]
) -> dict[str, str]:
    return {
        **{key: value for key, value in os.environ.items() if not key.startswith("KEEL_")},
        "KEEL_DATABASE__URL": database.sqlalchemy_url,
        "KEEL_DATABASE__MIGRATIONS_DIR": str(REPO_ROOT / "migrations"),
        "KEEL_CACHE__MODE": "off",
        "KEEL_SECURITY__KEYS_DIR": str(scratch / "keys"),
        "KEEL_SECURITY__ARGON2_TIME_COST": "1",
        "KEEL_SECURITY__ARGON2_MEMORY_COST_KIB": "1024",
        "KEEL_SECURITY__ARGON2_PARALLELISM": "1",
        "KEEL_TEMPORAL__ADDRESS": temporal,
        "KEEL_TEMPORAL__OUTBOX_POLL_INTERVAL_SECONDS": "0.1",
        "KEEL_EMAIL__SMTP_PORT": str(smtp_port),
        "KEEL_JOBS__STORAGE_DIR": str(scratch / "files"),
        "KEEL_OBSERVABILITY__LOG_LEVEL": "WARNING",
        **settings,
    }


def _keel(env: dict[str, str], cwd: Path, *arguments: str) -> str:
    completed = subprocess.run(
        [sys.executable, "-m", "keel", *arguments], env=env, cwd=cwd, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise RuntimeError(f"keel {' '.join(arguments)} failed:\n{completed.stdout}\n{completed.stderr}")
    return completed.stdout


def _wait(what: str, check: Any, deadline: float = DEADLINE_SECONDS) -> float:
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > deadline:
            raise RuntimeError(f"{what}: not done after {deadline:g}s")
        time.sleep(0.05)
    return time.monotonic() - started


async def _seed(database: ScratchDatabase) -> None:
    """A tenant and its owner, written as keel's sign-up would (the owner's hash is never used here)."""
    connection = await asyncpg.connect(database.asyncpg_dsn)
    try:
        now = datetime.now(UTC)
        tenant, owner = uuid.uuid4(), uuid.uuid4()
        await connection.execute(
            "INSERT INTO tenants (id, slug, name, status, created_at) VALUES ($1, 'bench', 'Bench', 'active', $2)",
            tenant, now,
        )  # fmt: skip
        await connection.execute(
            "INSERT INTO users (id, tenant_id, email, username, full_name, roles, status, locale, timezone, "
            "password_hash, created_at, updated_at, version) VALUES ($1, $2, 'owner@bench.example', 'owner', "
            "'Owner', ARRAY['owner'], 'active', 'en', 'UTC', '!', $3, $3, 1)",
            owner, tenant, now,
        )  # fmt: skip
        rows = []
        for n in range(EMAILS):
            message_id = uuid.uuid4()
            payload = {"message_id": str(message_id), "template": "welcome", "tenant_id": str(tenant),
                       "recipient_user_id": None, "to": f"bench{n}@sink.example", "context": {}}  # fmt: skip
            rows.append((message_id, "send_email", json.dumps(payload), tenant, now))
        # Held back a day: released at once when the measurement starts.
        await connection.executemany(
            "INSERT INTO outbox (id, kind, payload, tenant_id, created_at, available_at) "
            "VALUES ($1, $2, $3::jsonb, $4, $5, $5::timestamptz + interval '1 day')",
            rows,
        )
    finally:
        await connection.close()


async def _release_emails(database: ScratchDatabase) -> None:
    connection = await asyncpg.connect(database.asyncpg_dsn)
    try:
        await connection.execute("UPDATE outbox SET available_at = now() WHERE kind = 'send_email'")
    finally:
        await connection.close()


async def _job(database: ScratchDatabase) -> tuple[str, int, int] | None:
    connection = await asyncpg.connect(database.asyncpg_dsn)
    try:
        row = await connection.fetchrow("SELECT status, succeeded, failed FROM jobs")
        return None if row is None else (str(row["status"]), int(row["succeeded"]), int(row["failed"]))
    finally:
        await connection.close()


def _measure_import(  # noqa: PLR0917 - the run's parts
    env: dict[str, str], scratch: Path, database: ScratchDatabase, worker_pid: int, cpu: CpuMeter, rows: int
) -> None:
    csv_path = scratch / "users.csv"
    with csv_path.open("w", encoding="utf-8") as out:
        out.write("email,username,full_name,roles\n")
        out.writelines(f"user{n}@bench.example,user{n},User {n},member\n" for n in range(rows))
    with RssSampler(worker_pid) as rss:
        baseline = rss.now()
        started = time.monotonic()
        cpu.start()
        _keel(env, scratch, "jobs", "import", str(csv_path), "--tenant", "bench", "--no-wait")

        def finished() -> bool:
            job = asyncio.run(_job(database))
            return job is not None and job[0] in {"succeeded", "failed", "cancelled"}

        try:
            _wait("the import", finished, IMPORT_DEADLINE_SECONDS)
            ended = True
        except RuntimeError:
            ended = False  # reported below with the rows done so far
        import_seconds = time.monotonic() - started
    job = asyncio.run(_job(database))
    growth = (rss.peak - baseline) / MB
    if ended:
        print(
            f"import: {rows} rows end to end in {import_seconds:.1f} s, {rows / import_seconds:.0f} rows/s "
            f"(target <= {IMPORT_TARGET_SECONDS:g} s for 100,000); job (status, succeeded, failed): {job}"
        )
    else:
        done = 0 if job is None else job[1] + job[2]
        print(f"import: NOT finished after {import_seconds:.0f} s: {done} of {rows} rows, "
              f"{done / import_seconds:.0f} rows/s (target: 100,000 in {IMPORT_TARGET_SECONDS:g} s)")  # fmt: skip
    print(f"import: {cpu.describe(import_seconds)}")
    print(f"import: worker RSS {baseline / MB:.0f} MB before, peak {rss.peak / MB:.0f} MB, growth "
          f"{growth:.0f} MB (target <= {IMPORT_TARGET_RSS_MB:g} MB)")  # fmt: skip


def main() -> None:
    arguments = parse_args(__doc__.split("\n\n")[0])
    settings = worker_settings(arguments)
    server_url = os.environ.get("KEEL_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    with tempfile.TemporaryDirectory(prefix="keel-bench-jobs-") as directory, scratch_database(server_url) as database:
        scratch = Path(directory)
        temporal_port, smtp_port = free_port(), free_port()
        temporal = ServerProcess(
            "temporal",
            [str(BIN / "temporal"), "server", "start-dev", "--headless", "--ip", "127.0.0.1", "--port",
             str(temporal_port), "--log-level", "warn"],
            temporal_port, scratch / "temporal.log",
        )  # fmt: skip
        sink = CountingSink()
        controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
        env = _environment(database, scratch, f"127.0.0.1:{temporal_port}", smtp_port, settings)
        ready = scratch / "worker.ready"
        worker = ServerProcess(
            "worker", [sys.executable, "-m", "keel", "worker", "--ready-file", str(ready)], 0, scratch / "worker.log",
            env=env, cwd=scratch,
        )  # fmt: skip
        temporal.start()
        controller.start()
        try:
            _keel(env, scratch, "db", "upgrade")
            asyncio.run(_seed(database))
            worker.start()
            _wait("the worker to be ready", ready.exists, 60)
            print(f"conditions: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}, PostgreSQL "
                  f"{server_url.rsplit('@', 1)[-1]}, worker and Temporal dev server as separate processes; "
                  f"worker settings {settings or 'the defaults'}")  # fmt: skip
            assert worker._process is not None
            assert temporal._process is not None
            cpu = CpuMeter({"worker": worker._process.pid, "temporal": temporal._process.pid})

            if arguments.only in {None, "emails"}:
                cpu.start()
                asyncio.run(_release_emails(database))
                email_seconds = _wait("1,000 emails", lambda: sink.received >= EMAILS)
                print(f"emails: {EMAILS} through Temporal into the SMTP sink in {email_seconds:.1f} s, "
                      f"{EMAILS / email_seconds:.0f} emails/s (target <= {EMAIL_TARGET_SECONDS:g} s)")  # fmt: skip
                print(f"emails: {cpu.describe(email_seconds)}")

            if arguments.only in {None, "import"}:
                _measure_import(env, scratch, database, worker._process.pid, cpu, arguments.rows)
        finally:
            worker.stop()
            controller.stop()
            temporal.stop()
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
