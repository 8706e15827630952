"""``python -m benchmarks.jobs_export`` (``make bench-jobs``, second step): a user export at 100,000 and 1,000,000
users — figures printed, never asserted.

A scratch database on the configured PostgreSQL (``KEEL_BENCH_DATABASE_URL``, default the local ``postgres``
database) is migrated, given one tenant (through ``CreateTenant``) and then its users in set-based
``INSERT … SELECT … FROM generate_series`` statements: 100,000 first, exported, then 900,000 more, exported again.
Every hundredth user's full name starts with ``=`` (a formula cell, escaped on the way out).

Each export runs the worker's code path in this process, as the container builds it: ``StartUserExport`` (the job and
its outbox message), ``StartJob``, then ``ExportUsers`` — keyset pages of ``KEEL_JOBS__EXPORT_PAGE_SIZE`` users
streamed into ``LocalFileStorage`` — with no Temporal around it. Printed per export: wall time, rows/s, the file's
size, and this process's peak resident memory (sampled every 20 ms) over its level before the export: that growth
staying flat from 100k to 1M users is the memory bound. ``KEEL_BENCH_EXPORT_FORMAT`` is ``csv`` (default) or
``jsonl``.
"""

from __future__ import annotations

import asyncio
import gc
import inspect
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final
from uuid import UUID

from sqlalchemy import text

from benchmarks.scratch_db import ScratchDatabase, scratch_database
from keel.application.jobs import (
    ExportFormat,
    ExportRequest,
    ExportUsers,
    JobRef,
    StartExportCommand,
    StartJob,
    StartUserExport,
)
from keel.application.tenants import CreateTenantCommand
from keel.application.users import Actor
from keel.container import Container, build_container, running
from keel.infrastructure.migrations.service import MigrationService
from keel.settings import Settings

REPO_ROOT: Final = Path(__file__).resolve().parent.parent
SIZES: Final = (100_000, 1_000_000)
SEED_BATCH: Final = 250_000
"""Users per INSERT … SELECT (one statement each)."""
MB: Final = 1024 * 1024

_SEED_USERS: Final = text(
    """
    INSERT INTO users (id, tenant_id, email, username, full_name, roles, status, email_verified_at, locale, timezone,
                       password_hash, created_at, updated_at, deleted_at, version)
    SELECT gen_random_uuid(), :tenant_id, 'user' || n || '@bench.example', 'user' || n,
           CASE WHEN n % 100 = 0 THEN '=HYPERLINK("http://x.example/' || n || '")' ELSE 'User Number ' || n END,
           CASE WHEN n % 10 = 0 THEN ARRAY['admin', 'member'] ELSE ARRAY['member'] END,
           'active', NULL, 'en', 'UTC', 'unusable', ts, ts, NULL, 1
    FROM generate_series(CAST(:first AS integer), CAST(:last AS integer)) AS n,
         LATERAL (SELECT timestamptz '2026-01-01 00:00:00+00' + n * interval '1 millisecond' AS ts) AS t
    """
)


def _rss() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


class PeakRss:
    """The peak of this process's resident memory while the block runs, sampled in a thread."""

    def __init__(self, interval: float = 0.02) -> None:
        self._interval = interval
        self._stop = threading.Event()
        self.peak = 0
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakRss:
        self.peak = _rss()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _rss())
            self._stop.wait(self._interval)


def _settings(database: ScratchDatabase, scratch: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        environment="test",  # type: ignore[arg-type]
        database={"url": database.sqlalchemy_url, "migrations_dir": REPO_ROOT / "migrations"},  # type: ignore[arg-type]
        cache={"mode": "off"},  # type: ignore[arg-type]
        security={  # type: ignore[arg-type]
            "keys_dir": scratch / "keys",
            "argon2_time_cost": 1,
            "argon2_memory_cost_kib": 1024,
            "argon2_parallelism": 1,
        },
        jobs={"storage_dir": scratch / "files"},  # type: ignore[arg-type]
        observability={"log_level": "WARNING"},  # type: ignore[arg-type]
    )


async def _provided(provider: Callable[[], Any]) -> Any:
    """What a container provider gives, awaited when it depends on an async resource."""
    value = provider()
    return await value if inspect.isawaitable(value) else value


async def _owner(container: Container) -> Actor:
    create_tenant = await _provided(container.create_tenant)
    created = await create_tenant(
        CreateTenantCommand(
            slug="bench", name="Bench", owner_email="owner@bench.example", owner_username="owner",
            owner_password="correct horse battery staple",
        )
    )  # fmt: skip
    return Actor(user_id=created.owner.id, tenant_id=created.tenant.id, roles=created.owner.roles)


async def _seed(container: Container, tenant_id: UUID, first: int, last: int) -> float:
    started = time.perf_counter()
    engine = await _provided(container.engine)
    for start in range(first, last + 1, SEED_BATCH):
        async with engine.begin() as connection:
            end = min(start + SEED_BATCH - 1, last)
            await connection.execute(_SEED_USERS, {"tenant_id": tenant_id, "first": start, "last": end})
    async with engine.begin() as connection:
        await connection.execute(text("ANALYZE users"))
    return time.perf_counter() - started


async def _export(container: Container, owner: Actor, export_format: ExportFormat, expected: int) -> None:
    uow = await _provided(container.uow_factory)
    storage, clock = container.file_storage(), container.clock()
    start_export = StartUserExport(uow, clock, container.ids())
    job = await start_export(StartExportCommand(actor=owner, request=ExportRequest(format=export_format)))
    ref = JobRef(job.id, job.tenant_id)
    await StartJob(uow, storage, clock)(ref)
    page_size = container.settings().jobs.export_page_size
    export = ExportUsers(uow, storage, clock, page_size=page_size)
    gc.collect()
    before = _rss()
    with PeakRss() as rss:
        started = time.perf_counter()
        result = await export(ref)
        seconds = time.perf_counter() - started
    if result is None or result.rows != expected:
        raise RuntimeError(f"the export wrote {result.rows if result else 'nothing'}, not {expected} rows")
    await storage.delete(result.result_key)
    print(f"export {expected:>9,} users ({export_format.value}, pages of {page_size}): {seconds:6.1f} s, "
          f"{result.rows / seconds:8,.0f} rows/s, file {result.size / MB:6.1f} MB, "
          f"RSS {before / MB:.0f} MB before, peak growth {(rss.peak - before) / MB:.1f} MB")  # fmt: skip


async def _run(database: ScratchDatabase, scratch: Path, export_format: ExportFormat) -> None:
    await MigrationService(database_url=database.sqlalchemy_url, migrations_dir=REPO_ROOT / "migrations").upgrade()
    container = build_container(_settings(database, scratch))
    async with running(container):
        owner = await _owner(container)
        seeded = 1  # the owner
        for size in SIZES:
            seconds = await _seed(container, owner.tenant_id, seeded, size - 1)
            print(f"seed: users {seeded + 1:,}..{size:,} of one tenant in {seconds:.1f} s (INSERT … SELECT)")
            seeded = size
            await _export(container, owner, export_format, size)


def main() -> None:
    server_url = os.environ.get("KEEL_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    export_format = ExportFormat(os.environ.get("KEEL_BENCH_EXPORT_FORMAT", "csv"))
    print(f"conditions: {os.cpu_count()} cores, PostgreSQL {server_url.rsplit('@', 1)[-1]}, the export's code path "
          "in this process (no Temporal), files on the local disk")  # fmt: skip
    with (
        tempfile.TemporaryDirectory(prefix="keel-bench-export-") as directory,
        scratch_database(server_url) as database,
    ):
        asyncio.run(_run(database, Path(directory), export_format))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
