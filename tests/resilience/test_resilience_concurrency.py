"""Scenario 7 of the suite's list — races against the real process and a real PostgreSQL and Redis.

Each request of a burst is sent at once (one task each) so that they meet in the database or in Redis, where only a
constraint, a row lock, an atomic script or an advisory lock can decide. The outcomes are exact: one winner, every
other request refused with the problem that says why, and the database holding what the winner wrote, once.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import sys
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from support.api import PASSWORD, log_in_tokens
from support.http_load import at_once
from support.private_api import MIGRATIONS_DIR, PrivateStack, private_stack, sign_up
from support.resilience import Figures, RecordFigures

# Each module starts its own PostgreSQL, Redis and `keel serve`: slow to start on a loaded machine.
pytestmark = [pytest.mark.resilience, pytest.mark.timeout(300)]

READ_QUOTA = 20
SETTINGS = {"RATE_LIMIT__READ": f"{READ_QUOTA}/1h", "OBSERVABILITY__LOG_LEVEL": "WARNING"}
SIGN_UPS = 50
REFRESHES = 8
UPGRADES = 3


@pytest.fixture(scope="module")
async def stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[PrivateStack]:
    directory: Path = tmp_path_factory.mktemp("concurrency")
    async with private_stack(directory, SETTINGS) as stack:
        yield stack


async def _fetchval(dsn: str, query: str, *args: object) -> object:
    connection = await asyncpg.connect(dsn)
    try:
        return await connection.fetchval(query, *args)
    finally:
        await connection.close()


async def test_concurrent_sign_ups_with_one_slug_and_email_make_one_tenant(
    stack: PrivateStack, resilience_figures: RecordFigures
) -> None:
    owner = {"email": "owner@race.example", "username": "owner", "password": PASSWORD}
    body = {"slug": "race", "name": "Race", "owner": owner}
    async with stack.client(timeout=60) as client:
        report = await at_once(client, [client.build_request("POST", "/api/v1/tenants", json=body)] * SIGN_UPS)

    assert report.statuses() == {201: 1, 409: SIGN_UPS - 1}
    refused = [o for o in report.outcomes if o.status == 409]
    assert {o.body["code"] for o in refused} == {"tenant_slug_taken"}
    assert {o.headers["content-type"] for o in refused} == {"application/problem+json"}
    assert await _fetchval(stack.database_dsn, "SELECT count(*) FROM tenants WHERE slug = 'race'") == 1
    assert await _fetchval(stack.database_dsn, "SELECT count(*) FROM users WHERE email = $1", owner["email"]) == 1
    resilience_figures(
        Figures(
            scenario="7a. 50 concurrent sign-ups, one slug and email",
            sent=report.sent,
            ok=report.ok,
            client_errors=report.client_errors,
            server_errors=report.server_errors,
            notes="1 × 201, 49 × 409 tenant_slug_taken; 1 tenant and 1 owner stored",
        )
    )


async def test_concurrent_user_creations_with_one_email_make_one_user(
    stack: PrivateStack, resilience_figures: RecordFigures
) -> None:
    async with stack.client(timeout=60) as client:
        owner = await sign_up(client, "one-email")
        requests = [
            client.build_request(
                "POST",
                "/api/v1/users",
                headers=owner.headers,
                json={"email": "same@one-email.example", "username": f"same{number}", "password": PASSWORD},
            )
            for number in range(SIGN_UPS)
        ]
        report = await at_once(client, requests)

    assert report.statuses() == {201: 1, 409: SIGN_UPS - 1}
    assert {o.body["code"] for o in report.outcomes if o.status == 409} == {"email_already_used"}
    stored = await _fetchval(stack.database_dsn, "SELECT count(*) FROM users WHERE email = 'same@one-email.example'")
    assert stored == 1
    resilience_figures(
        Figures(
            scenario="7b. 50 concurrent user creations, one email",
            sent=report.sent,
            ok=report.ok,
            client_errors=report.client_errors,
            server_errors=report.server_errors,
            notes="1 × 201, 49 × 409 email_already_used; 1 user stored",
        )
    )


async def test_twice_the_quota_at_once_lets_exactly_the_quota_through(
    stack: PrivateStack, resilience_figures: RecordFigures
) -> None:
    async with stack.client(timeout=60) as client:
        owner = await sign_up(client, "quota")
        requests = [client.build_request("GET", "/api/v1/users/me", headers=owner.headers)] * (2 * READ_QUOTA)
        report = await at_once(client, requests)

    assert report.statuses() == {200: READ_QUOTA, 429: READ_QUOTA}
    refused = [o for o in report.outcomes if o.status == 429]
    assert {o.body["code"] for o in refused} == {"rate_limited"}
    assert all(int(o.headers["retry-after"]) >= 1 for o in refused)
    # Each request that passed took one of the quota's places: the remaining counts are 19, 18, ... 0, once each.
    passed = [o.headers["ratelimit"] for o in report.outcomes if o.status == 200]
    remaining = sorted(int(header.split(";r=")[1].split(";")[0]) for header in passed)
    assert remaining == list(range(READ_QUOTA))
    resilience_figures(
        Figures(
            scenario=f"7c. {2 * READ_QUOTA} requests at once, quota {READ_QUOTA}",
            sent=report.sent,
            ok=report.ok,
            client_errors=report.client_errors,
            server_errors=report.server_errors,
            notes=f"{READ_QUOTA} × 200, {READ_QUOTA} × 429 with Retry-After",
        )
    )


async def test_concurrent_refreshes_of_one_token_let_one_win_and_end_the_session(
    stack: PrivateStack, resilience_figures: RecordFigures
) -> None:
    async with stack.client(timeout=60) as client:
        owner = await sign_up(client, "refresh-race")
        tokens = await log_in_tokens(client, owner.tenant_slug, "owner@refresh-race.example")
        body = {"refresh_token": tokens["refresh_token"]}
        report = await at_once(client, [client.build_request("POST", "/api/v1/auth/refresh", json=body)] * REFRESHES)
        winner = next(o.body for o in report.outcomes if o.status == 200)
        successor = await client.post("/api/v1/auth/refresh", json={"refresh_token": winner["refresh_token"]})

    assert report.statuses() == {200: 1, 401: REFRESHES - 1}
    assert {o.body["code"] for o in report.outcomes if o.status == 401} == {"invalid_refresh_token"}
    # The losers replayed a spent token: the family is revoked, the winner's new refresh token with it (ADR 0016).
    assert successor.status_code == 401
    assert successor.json()["code"] == "invalid_refresh_token"
    connection = await asyncpg.connect(stack.database_dsn)
    try:
        family = await connection.fetch(
            "SELECT spent_at IS NOT NULL AS spent, revoked_reason FROM refresh_tokens WHERE family_id = "
            "(SELECT family_id FROM refresh_tokens WHERE token_hash = $1) ORDER BY created_at",
            hashlib.sha256(tokens["refresh_token"].encode()).digest(),
        )
    finally:
        await connection.close()
    # The raced token spent once, its one successor, both revoked for the reuse.
    assert [(row["spent"], row["revoked_reason"]) for row in family] == [
        (True, "reuse_detected"),
        (False, "reuse_detected"),
    ]
    resilience_figures(
        Figures(
            scenario=f"7d. {REFRESHES} concurrent refreshes of one token",
            sent=report.sent + 1,
            ok=report.ok,
            client_errors=report.client_errors + 1,
            server_errors=report.server_errors,
            notes=f"1 × 200, {REFRESHES - 1} × 401; family revoked (the winner's successor refused too)",
        )
    )


async def test_concurrent_upgrades_of_a_fresh_database_apply_each_migration_once(
    stack: PrivateStack, resilience_figures: RecordFigures, tmp_path: Path
) -> None:
    url = await stack.postgres.create_database("upgrade_race")
    environment = {
        **{name: value for name, value in os.environ.items() if not name.startswith("KEEL_")},
        "KEEL_DATABASE__URL": url,
        "KEEL_DATABASE__MIGRATIONS_DIR": str(MIGRATIONS_DIR),
    }

    async def upgrade() -> tuple[int, str]:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "keel", "db", "upgrade",
            env=environment, cwd=tmp_path, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        output, _ = await process.communicate()
        return await process.wait(), output.decode()

    results = await asyncio.gather(*(upgrade() for _ in range(UPGRADES)))

    files = sorted(path.name.split("_", 1)[0] for path in MIGRATIONS_DIR.glob("*.sql"))
    assert [code for code, _ in results] == [0] * UPGRADES, results
    last_lines = Counter(output.strip().splitlines()[-1] for _, output in results)
    assert last_lines == {f"{len(files)} migration(s) applied": 1, "database is up to date: nothing to apply": 2}
    dsn = stack.postgres.dsn("upgrade_race")
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch(
            "SELECT version, applied_statements, total_statements, error FROM keel_schema_revisions ORDER BY version"
        )
    finally:
        await connection.close()
    assert [row["version"] for row in rows] == files
    assert all(row["applied_statements"] == row["total_statements"] and row["error"] is None for row in rows)
    resilience_figures(
        Figures(
            scenario=f"7e. `keel db upgrade` × {UPGRADES} at once on a fresh database",
            sent=UPGRADES,
            ok=UPGRADES,
            notes=f"all exit 0; {len(files)} migrations applied once, by one of them; revision table complete",
        )
    )
