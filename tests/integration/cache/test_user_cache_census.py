"""``keel cache stats`` and the census behind it, on real Redis: users, leases, bytes and encodings of the cache's own
keys only.

These tests run on a private embedded Redis rather than the worker's database of a shared server: they count every
key, and a flush by anything else sharing that server between seeding and counting would make them lie.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from uuid import uuid4

import pytest
from redis.asyncio import Redis

from keel.infrastructure.cache.census import UserCacheCensus
from keel.infrastructure.cache.keys import UserCacheKeys
from keel.infrastructure.cache.user_store import LEASE_PREFIX
from support import redis as redis_support

pytestmark = pytest.mark.integration

PREFIX = "census"


@pytest.fixture(scope="module")
def private_redis_url() -> Iterator[str]:
    server = redis_support.start_embedded()
    yield server.url
    server.stop()


@pytest.fixture
async def redis_client(private_redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(private_redis_url)
    await client.flushdb()
    yield client
    await client.aclose()


async def _seed(redis_client: Redis) -> None:
    keys = UserCacheKeys(PREFIX)
    tenant = uuid4()
    await redis_client.set(keys.user(tenant, uuid4()), b"\x00" + b"r" * 99)
    await redis_client.set(keys.user(tenant, uuid4()), b"\x01" + b"z" * 49)
    for _ in range(3):
        await redis_client.set(keys.user(tenant, uuid4()), b"\x02" + (0x0D538D27).to_bytes(4, "big") + b"d" * 45)
    await redis_client.set(keys.user(tenant, uuid4()), LEASE_PREFIX + b"token")
    await redis_client.set(f"{PREFIX}:other:thing", b"\x00not a user")
    await redis_client.set(UserCacheKeys("another-prefix").user(tenant, uuid4()), b"\x00x")


async def test_the_census_counts_the_cache_keys_by_kind_and_encoding(redis_client: Redis) -> None:
    await _seed(redis_client)
    census = await UserCacheCensus(redis_client, PREFIX).take()
    assert (census.users, census.leases, census.value_bytes) == (5, 1, 100 + 50 + 3 * 50)
    assert census.encodings == {"raw": 1, "zstd": 1, "zstd+dict:223579431": 3}
    assert "keyspace_hits" in census.server


async def test_keel_cache_stats_prints_it(redis_client: Redis, private_redis_url: str, tmp_path: Path) -> None:
    await _seed(redis_client)
    environment = {name: value for name, value in os.environ.items() if not name.startswith("KEEL_")} | {
        "KEEL_ENVIRONMENT": "test",
        "KEEL_CACHE__URL": private_redis_url,
        "KEEL_CACHE__KEY_PREFIX": PREFIX,
        "KEEL_TEMPORAL__ADDRESS": "127.0.0.1:1",
        "KEEL_OBSERVABILITY__LOG_LEVEL": "WARNING",
    }
    code, stdout, _ = await _keel(environment, tmp_path, "--json")
    assert code == 0
    report = json.loads(stdout)
    assert (report["users"], report["leases"]) == (5, 1)

    code, _, stderr = await _keel(environment | {"KEEL_CACHE__MODE": "off"}, tmp_path)
    assert code == 1
    assert stderr.strip() == "keel cache stats: the cache is off (KEEL_CACHE__MODE=off): nothing to count"


async def _keel(environment: dict[str, str], cwd: Path, *arguments: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "keel",
        "cache",
        "stats",
        *arguments,
        env=environment,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await process.communicate()
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()
