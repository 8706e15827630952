"""Scenario 8 of the suite's list — a cache stampede: 200 concurrent reads of one user nobody has read yet.

Counted where it cannot be fooled: PostgreSQL's own statement statistics (``pg_stat_statements``, loaded by the
private server) of the app's database, reset just before the burst. The user cache's single flight (one read per key
per process) and its lease (one filler per key across processes) must turn the 200 misses into at most 2 reads.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from support.http_load import at_once
from support.private_api import PrivateStack, add_user, private_stack, sign_up
from support.resilience import Figures, RecordFigures

# Each module starts its own PostgreSQL, Redis and `keel serve`: slow to start on a loaded machine.
pytestmark = [pytest.mark.resilience, pytest.mark.timeout(300)]

READERS = 200
MOST_READS = 2
SETTINGS = {"OBSERVABILITY__LOG_LEVEL": "WARNING"}
# Every statement of the app that reads rows of users, whatever its columns or conditions.
USER_READS = """
SELECT coalesce(sum(calls), 0) FROM pg_stat_statements
WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND query ILIKE '%FROM users%'
"""


@pytest.fixture(scope="module")
async def stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[PrivateStack]:
    directory: Path = tmp_path_factory.mktemp("stampede")
    async with private_stack(directory, SETTINGS) as stack:
        yield stack


async def test_two_hundred_concurrent_reads_of_a_cold_user_cost_at_most_two_database_reads(
    stack: PrivateStack, resilience_figures: RecordFigures
) -> None:
    statistics = await asyncpg.connect(stack.database_dsn)
    try:
        await statistics.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        async with stack.client(timeout=60) as client:
            owner = await sign_up(client, "stampede")
            cold = await add_user(client, owner, "cold")  # its cache entry deleted by the creation's commit
            await statistics.execute("SELECT pg_stat_statements_reset()")
            assert await statistics.fetchval(USER_READS) == 0

            request = client.build_request("GET", f"/api/v1/users/{cold['id']}", headers=owner.headers)
            report = await at_once(client, [request] * READERS)

        reads = await statistics.fetchval(USER_READS)
    finally:
        await statistics.close()

    assert report.statuses() == {200: READERS}
    assert {o.body["id"] for o in report.outcomes} == {cold["id"]}
    assert 1 <= reads <= MOST_READS
    resilience_figures(
        Figures(
            scenario=f"8. Cache stampede: {READERS} concurrent reads of one cold user",
            sent=report.sent,
            ok=report.ok,
            client_errors=report.client_errors,
            server_errors=report.server_errors,
            notes=f"{reads} PostgreSQL read(s) of users (pg_stat_statements; at most {MOST_READS} allowed)",
        )
    )
