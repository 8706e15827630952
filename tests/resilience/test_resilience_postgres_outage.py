"""Scenario 2 — PostgreSQL stopped (``pg_ctl stop -m fast``: every session ended) under load, then started again.

The load mixes a read the cache can answer (one user, ``GET /api/v1/users/{id}``) with one it cannot (a page of users,
``GET /api/v2/users``), and a writer renames its own profile, one write at a time. While PostgreSQL is down: the
cached read keeps answering 200 from Redis; the page and the writes answer 503 problems (``application/problem+json``)
with ``Retry-After`` — never a 500, never a traceback; ``/health/ready`` answers 503. Every write acknowledged is in
the database (each moved the user's version by one), and no refused write appeared there. No request waits past what
the settings allow (pool wait + connect + statement timeouts). After the restart the same process serves again: its
pool replaces the dead connections by itself, no restart of the app.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from uuid import UUID

import asyncpg
import httpx
import pytest

from support.http_load import LoadReport, Outcome, run_load
from support.private_api import PrivateStack, add_user, private_stack, sign_up
from support.resilience import Figures, RecordFigures
from support.waiting import wait_until

# Each module starts its own PostgreSQL, Redis and `keel serve`: slow to start on a loaded machine.
pytestmark = [pytest.mark.resilience, pytest.mark.timeout(300)]

CONCURRENCY = 12
WARM_SECONDS = 1.5
OUTAGE_SECONDS = 3.0
AFTER_RECOVERY_SECONDS = 1.5
POOL_TIMEOUT_SECONDS = 2.0
CONNECT_TIMEOUT_SECONDS = 2.0
STATEMENT_TIMEOUT_MS = 3000
SETTINGS = {
    "DATABASE__POOL_SIZE": "5",
    "DATABASE__POOL_TIMEOUT_SECONDS": str(POOL_TIMEOUT_SECONDS),
    "DATABASE__CONNECT_TIMEOUT_SECONDS": str(CONNECT_TIMEOUT_SECONDS),
    "DATABASE__STATEMENT_TIMEOUT_MS": str(STATEMENT_TIMEOUT_MS),
    "OBSERVABILITY__LOG_LEVEL": "WARNING",
}
# The longest a request may wait on the database, by the settings: a pooled connection, then a connection made, then
# the statement. Nothing the client sees may take longer.
LATENCY_BOUND_SECONDS = POOL_TIMEOUT_SECONDS + CONNECT_TIMEOUT_SECONDS + STATEMENT_TIMEOUT_MS / 1000
PAGE = "/api/v2/users"


@pytest.fixture(scope="module")
async def stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[PrivateStack]:
    directory: Path = tmp_path_factory.mktemp("postgres-outage")
    async with private_stack(directory, SETTINGS) as stack:
        yield stack


def _is_unavailable_problem(outcome: Outcome) -> bool:
    return (
        outcome.status == 503
        and outcome.headers.get("content-type") == "application/problem+json"
        and outcome.headers.get("retry-after") == "5"
        and outcome.body["code"] == "dependency_unavailable"
        and set(outcome.body) <= {"type", "title", "status", "detail", "instance", "code", "request_id"}
    )


async def test_a_stopped_postgres_answers_503_problems_and_the_pool_heals_after_its_restart(
    stack: PrivateStack, resilience_figures: RecordFigures
) -> None:
    limits = httpx.Limits(max_connections=CONCURRENCY + 4)
    async with stack.client(timeout=30, limits=limits) as client, stack.client(timeout=30) as probe:
        owner = await sign_up(client, "postgres-outage")
        member = await add_user(client, owner, "cached")
        user_path = f"/api/v1/users/{member['id']}"
        assert (await client.get(user_path, headers=owner.headers)).status_code == 200  # now in Redis
        paths = itertools.cycle([user_path, PAGE])

        def read(_: int) -> httpx.Request:
            return client.build_request("GET", next(paths), headers=owner.headers)

        def rename(number: int) -> httpx.Request:  # the owner's own profile: one write at a time, no conflicts
            headers = {**owner.headers, "Content-Type": "application/merge-patch+json"}
            return client.build_request("PATCH", "/api/v1/users/me", headers=headers, json={"full_name": f"W{number}"})

        async def page_status() -> int:
            return (await probe.get(PAGE, headers=owner.headers)).status_code

        async def readiness() -> int:
            return (await probe.get("/health/ready")).status_code

        stop = asyncio.Event()
        report, writes = LoadReport(), LoadReport()
        load = asyncio.gather(
            run_load(client, read, concurrency=CONCURRENCY, until=stop, keep_body=True, report=report),
            run_load(client, rename, concurrency=1, until=stop, keep_body=True, report=writes),
        )
        try:
            await asyncio.sleep(WARM_SECONDS)
            stopping_at = time.monotonic()
            await asyncio.to_thread(stack.postgres.stop, "fast")
            stopped_at = time.monotonic()
            await wait_until(_answers(readiness, 503), within=10, what="readiness turns 503")
            not_ready = (await probe.get("/health/ready")).json()

            await asyncio.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - stopped_at)))
            restarting_at = time.monotonic()
            await asyncio.to_thread(stack.postgres.start)
            restarted_at = time.monotonic()
            await wait_until(_answers(page_status, 200), within=15, what="a page of users is served again")
            recovered_at = time.monotonic()
            await wait_until(_answers(readiness, 200), within=10, what="readiness turns 200 again")
            await asyncio.sleep(AFTER_RECOVERY_SECONDS)
        finally:
            stop.set()
            await load

    version = await _user_version(stack.database_dsn, owner.id)
    acknowledged = writes.ok
    before = [o for o in report.outcomes if o.answered_at < stopping_at]
    during = [o for o in report.outcomes if o.sent_at > stopped_at and o.answered_at < restarting_at]
    after = [o for o in report.outcomes if o.sent_at > recovered_at]
    unexpected = [
        (o.path, o.status, o.error)
        for o in report.outcomes + writes.outcomes
        if o.status != 200 and not _is_unavailable_problem(o)
    ]
    # Never a 500 and never a hang: every answer is a 200 or a 503 problem with Retry-After, within the settings' bound.
    assert unexpected == []
    assert report.unanswered == writes.unanswered == []
    assert report.max_seconds <= LATENCY_BOUND_SECONDS
    assert {o.status for o in before} == {200}
    # While down: the cached user is still served (from Redis); every page needs PostgreSQL and is refused.
    assert {o.status for o in during if o.path == user_path} == {200}
    assert {o.status for o in during if o.path == PAGE} == {503}
    assert not_ready["status"] == "fail"
    assert not_ready["checks"]["postgres"] == {**not_ready["checks"]["postgres"], "status": "fail", "required": True}
    # No acknowledged write was lost (each one moved the version by one), and no refused write appeared.
    assert {o.status for o in writes.outcomes if o.sent_at > stopped_at and o.answered_at < restarting_at} == {503}
    assert acknowledged <= version - 1 <= acknowledged + writes.server_errors
    assert writes.outcomes[-1].status != 200 or writes.outcomes[-1].body["version"] == version
    # Healed in place: the same process serves everything again.
    assert {o.status for o in after} == {200}
    assert stack.api.process is not None
    assert stack.api.process.poll() is None

    refused = sum(1 for o in report.outcomes + writes.outcomes if o.status == 503)
    resilience_figures(
        Figures(
            scenario="2. PostgreSQL stopped under reads and writes",
            sent=report.sent + writes.sent,
            ok=report.ok + writes.ok,
            client_errors=report.client_errors + writes.client_errors,
            server_errors=report.server_errors + writes.server_errors,
            lost=len(report.unanswered) + max(0, acknowledged - (version - 1)),
            recovery_seconds=recovered_at - restarted_at,
            notes=(
                f"{refused} × 503 problem + Retry-After; cached reads 200 throughout; {acknowledged} writes "
                f"acknowledged, all stored; readiness 503 while down; "
                f"max latency {report.max_seconds:.2f} s (bound {LATENCY_BOUND_SECONDS:g} s)"
            ),
        )
    )


async def _user_version(dsn: str, user_id: str) -> int:
    connection = await asyncpg.connect(dsn)
    try:
        return int(await connection.fetchval("SELECT version FROM users WHERE id = $1", UUID(user_id)))
    finally:
        await connection.close()


def _answers(status: Callable[[], Awaitable[int]], expected: int) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return await status() == expected

    return check
