"""What Redis says about the cached runs: hits and misses, and how big the cached users are.

The benchmark uses a Redis logical database of its own (``KEEL_BENCH_REDIS_URL``, db 15 by default), emptied at the
start and at the end. Hit and miss counters (``INFO stats``: ``keyspace_hits``/``keyspace_misses``) are server-wide
in Redis: another client of the same server during a measurement adds to them, which shows as more than one lookup per
request next to the hit ratio.

Compression, two ways:

- from Redis: each cached user's value (``STRLEN``) against the length of the same user's JSON as the API sends it.
  A key holds a user's value when it ends with the user's id (with or without dashes), whatever comes before — keys
  with more after the id (a lock, a lease) are not values; a value that is not a string (a hash, say) is left out.
  The ratio includes what the cache saves by storing a compact record rather than the JSON;
- from keel's cache codec, when it has a helper for it (``keel.infrastructure.cache.training.measure_compression`` with
  the shipped codec): the seeded users' compact records against the stored values, compression alone. Optional: the
  figure is left out, with the reason, when that module is absent or does not offer it.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, cast
from uuid import UUID

import asyncpg
from redis import Redis

from benchmarks.floor_users import COLUMNS

USER_ID_AT_END: Final = re.compile(rb"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")
SCAN_COUNT: Final = 1000
CODEC_SAMPLE: Final = 2000


@dataclass(frozen=True, slots=True)
class CompressionFigures:
    entries: int  # users compared
    original_bytes: int  # their JSON as the API sends it, or the codec's record
    stored_bytes: int  # their values as stored in Redis

    @property
    def ratio(self) -> float | None:
        return self.original_bytes / self.stored_bytes if self.stored_bytes else None


class RedisProbe:
    """A plain (blocking) client of the benchmark's Redis database, for figures taken between runs."""

    def __init__(self, url: str) -> None:
        self._client = Redis.from_url(url, socket_timeout=10)

    def empty(self) -> None:
        self._client.flushdb()

    def lookups(self) -> tuple[int, int]:
        """(keyspace_hits, keyspace_misses) of the whole server since it started."""
        stats = cast(dict[str, int], self._client.info("stats"))
        return int(stats["keyspace_hits"]), int(stats["keyspace_misses"])

    def cached_user_sizes(self, key_prefix: str, user_ids: frozenset[str]) -> dict[str, int]:
        """Bytes stored per user id, among the keys under ``key_prefix`` that end with one of ``user_ids``."""
        owners: dict[bytes, str] = {}
        for key in self._client.scan_iter(match=f"{key_prefix}*", count=SCAN_COUNT):
            if (owner := _owner(key, user_ids)) is not None:
                owners[key] = owner
        pipeline = self._client.pipeline(transaction=False)
        for key in owners:
            pipeline.type(key)
            pipeline.strlen(key)
        replies = pipeline.execute(raise_on_error=False)
        sizes: dict[str, int] = {}
        for owner, kind, length in zip(owners.values(), replies[::2], replies[1::2], strict=True):
            if kind in {b"string", "string"} and isinstance(length, int):
                sizes[owner] = sizes.get(owner, 0) + length
        return sizes

    def close(self) -> None:
        self._client.close()


def _owner(key: bytes, user_ids: frozenset[str]) -> str | None:
    found = USER_ID_AT_END.search(key)
    if found is None:
        return None
    user_id = str(UUID(found.group().decode()))
    return user_id if user_id in user_ids else None


def compression(sizes: Mapping[str, int], json_lengths: Mapping[str, int]) -> CompressionFigures:
    """The users found in both, summed: total JSON bytes over total stored bytes."""
    common = sizes.keys() & json_lengths.keys()
    return CompressionFigures(
        entries=len(common),
        original_bytes=sum(json_lengths[user_id] for user_id in common),
        stored_bytes=sum(sizes[user_id] for user_id in common),
    )


def codec_compression(asyncpg_dsn: str, limit: int = CODEC_SAMPLE) -> CompressionFigures | str:
    """keel's own codec figure on ``limit`` seeded users, or why there is none."""
    try:
        from keel.infrastructure.cache.training import measure_compression
        from keel.infrastructure.cache.user_codec import shipped_user_cache_codec
        from keel.infrastructure.persistence.user_mapper import user_from_row

        rows = asyncio.run(_user_rows(asyncpg_dsn, limit))
        report = measure_compression(shipped_user_cache_codec(), [user_from_row(row) for row in rows])
        return CompressionFigures(report.records, report.record_bytes, report.stored_bytes)
    except Exception as error:  # noqa: BLE001 - an optional figure from a module that may not exist (yet)
        return f"{type(error).__name__}: {error}"


async def _user_rows(asyncpg_dsn: str, limit: int) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(asyncpg_dsn, timeout=10)
    try:
        return list(await connection.fetch(f"SELECT {COLUMNS} FROM users ORDER BY id LIMIT $1", limit))
    finally:
        await connection.close()
