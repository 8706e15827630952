"""Scenario 1 — Redis killed (SIGKILL) while authenticated reads pour in, then started again on the same port.

Reads of single users go through the Redis cache; the rate limiter counts each of them in Redis too. While Redis is
dead: no request fails (the reads fall through to PostgreSQL, the limiter lets reads through uncounted), the app
counts the cache's errors and opens its circuit breaker (``/metrics``), readiness stays 200 (Redis is not required,
``warn``), and a log-in — a fail-closed quota — is refused with a 503 problem and ``Retry-After``. A user changed
during the outage is never served stale: its invalidation failed, was kept, and is retried before the cache is read
again — and Redis comes back with its append-only file, still holding the old entry. After the restart the breaker
closes and reads are answered from Redis again.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from support.http_load import LoadReport, run_load
from support.private_api import PrivateStack, add_user, private_stack, sign_up
from support.resilience import Figures, RecordFigures
from support.scrape import sample, scrape
from support.waiting import wait_until

# Each module starts its own PostgreSQL, Redis and `keel serve`: slow to start on a loaded machine.
pytestmark = [pytest.mark.resilience, pytest.mark.timeout(300)]

USERS = 20
CONCURRENCY = 12
WARM_SECONDS = 1.5
OUTAGE_SECONDS = 3.0
AFTER_RECOVERY_SECONDS = 2.0
BREAKER_OPEN_SECONDS = 1.0
SETTINGS = {
    "CACHE__BREAKER_OPEN_SECONDS": str(BREAKER_OPEN_SECONDS),
    "OBSERVABILITY__LOG_LEVEL": "WARNING",
}
OPERATIONS = "keel_cache_operations_total"
CACHE_OPEN = "keel_cache_circuit_open"
LIMITER_OPEN = "keel_rate_limit_circuit_open"
UNCOUNTED = "keel_rate_limit_uncounted_total"


@pytest.fixture(scope="module")
async def stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[PrivateStack]:
    directory: Path = tmp_path_factory.mktemp("redis-outage")
    async with private_stack(directory, SETTINGS) as stack:
        yield stack


def _cache(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float]) -> dict[str, float]:
    return {result: sample(samples, OPERATIONS, result=result) for result in ("hit", "miss", "error", "bypassed")}


async def test_reads_survive_a_redis_crash_and_the_cache_heals_without_serving_a_stale_user(
    stack: PrivateStack, resilience_figures: RecordFigures
) -> None:
    limits = httpx.Limits(max_connections=CONCURRENCY + 4)
    async with stack.client(timeout=10, limits=limits) as client, stack.client(timeout=10) as probe:
        owner = await sign_up(client, "redis-outage")
        users = [await add_user(client, owner, f"reader{number}") for number in range(USERS)]
        target = users[0]["id"]
        ids = itertools.cycle([user["id"] for user in users])

        def read(_: int) -> httpx.Request:
            return client.build_request("GET", f"/api/v1/users/{next(ids)}", headers=owner.headers)

        stop = asyncio.Event()
        report = LoadReport()
        load = asyncio.create_task(
            run_load(client, read, concurrency=CONCURRENCY, until=stop, keep_body=True, report=report)
        )
        try:
            await asyncio.sleep(WARM_SECONDS)
            before = _cache(await scrape(probe))
            assert before["hit"] > 0

            await asyncio.to_thread(stack.redis.kill)
            killed_at = time.monotonic()

            async def breakers_open() -> bool:
                samples = await scrape(probe)
                return sample(samples, CACHE_OPEN) == sample(samples, LIMITER_OPEN) == 1

            await wait_until(breakers_open, within=10, what="the cache's and the rate limiter's breakers open")
            opened = _cache(await scrape(probe))
            opened_at = time.monotonic()

            readiness = await probe.get("/health/ready")
            login = await probe.post(
                "/api/v1/auth/login",
                json={"tenant": owner.tenant_slug, "email": f"owner@{owner.tenant_slug}.example", "password": "x" * 12},
            )
            uncounted_read = await probe.get(f"/api/v1/users/{target}", headers=owner.headers)
            renamed = await probe.patch(
                f"/api/v1/users/{target}",
                headers={**owner.headers, "Content-Type": "application/merge-patch+json"},
                json={"full_name": "Renamed During Outage"},
            )
            renamed_at = time.monotonic()

            await asyncio.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - killed_at)))
            down = _cache(await scrape(probe))
            restarting_at = time.monotonic()
            await asyncio.to_thread(stack.redis.start)
            restarted_at = time.monotonic()

            async def breakers_closed() -> bool:
                samples = await scrape(probe)
                return sample(samples, CACHE_OPEN) == sample(samples, LIMITER_OPEN) == 0

            await wait_until(breakers_closed, within=10, what="both breakers close again")
            recovered_at = time.monotonic()
            samples = await scrape(probe)
            recovered = _cache(samples)
            uncounted = {o: sample(samples, UNCOUNTED, outcome=o) for o in ("allowed", "refused")}
            await asyncio.sleep(AFTER_RECOVERY_SECONDS)
            end = _cache(await scrape(probe))
        finally:
            stop.set()
            await load

    # Nothing failed: every read answered 200, through the outage.
    assert report.statuses() == {200: report.sent}, report.statuses()
    # While Redis was dead, no read came from it: every one was answered by PostgreSQL.
    assert down["hit"] == opened["hit"]
    in_outage = [o for o in report.outcomes if o.sent_at > opened_at and o.answered_at < restarting_at]  # fmt: skip
    assert in_outage
    assert down["miss"] - opened["miss"] >= len(in_outage)
    # The failures were counted, and the breaker then spared Redis the calls.
    assert opened["error"] > before["error"]
    assert down["bypassed"] > opened["bypassed"]
    # Readiness does not require Redis: still 200, with Redis reported failing.
    assert readiness.status_code == 200
    assert readiness.json()["status"] == "warn"
    assert readiness.json()["checks"]["redis"]["status"] == "fail"
    # The limiter: log-in is a fail-closed quota (refused while nothing counts), reads and writes fail open.
    assert login.status_code == 503
    assert login.headers["content-type"] == "application/problem+json"
    assert login.headers["retry-after"] == "5"
    assert login.json()["code"] == "dependency_unavailable"
    assert uncounted_read.status_code == 200
    assert "ratelimit" not in uncounted_read.headers  # let through, not counted
    assert renamed.status_code == 200, renamed.text
    # Never a stale user: every read of the renamed user sent after the change shows the change, during the outage
    # and after Redis came back (holding the old entry in its append-only file).
    after_rename = [o for o in report.outcomes if o.path.endswith(target) and o.sent_at > renamed_at]
    assert [o for o in after_rename if o.answered_at > restarted_at]
    assert {o.body["full_name"] for o in after_rename} == {"Renamed During Outage"}
    # Healed: once the breaker closed, reads are answered from Redis again.
    hits, misses = end["hit"] - recovered["hit"], end["miss"] - recovered["miss"]
    assert hits / (hits + misses) >= 0.95, (hits, misses)
    # The limiter let reads through uncounted while Redis was down, refused the log-in, and counts again since.
    assert uncounted["allowed"] >= len(in_outage)
    assert uncounted["refused"] == 1
    counted_after = [o for o in report.outcomes if o.sent_at > recovered_at]
    assert counted_after
    assert all("ratelimit" in o.headers for o in counted_after)

    resilience_figures(
        Figures(
            scenario="1. Redis killed under authenticated reads",
            sent=report.sent,
            ok=report.ok,
            client_errors=report.client_errors,
            server_errors=report.server_errors,
            lost=len(report.unanswered),
            recovery_seconds=recovered_at - restarted_at,
            notes=(
                f"{int(down['miss'] - opened['miss'])} reads from PostgreSQL while down; "
                f"{int(opened['error'] - before['error'])} cache errors, then breaker open; "
                f"hit ratio after {hits / (hits + misses):.0%}; log-in 503 (fail closed)"
            ),
        )
    )
