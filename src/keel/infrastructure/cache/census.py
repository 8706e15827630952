"""A census of the user cache as Redis holds it: how many users, leases and bytes, and how they are encoded.

The per-process counters (``stats``: hits, misses, errors) live in each API process and reach operators as metrics;
this counts what is *in Redis*, from any machine that can reach it (``keel cache stats``). It walks the cache's keys
with ``SCAN`` (never ``KEYS``, which blocks Redis) and reads only the first bytes of each value, in pipelined
batches, so its cost on a busy Redis is a few round trips per thousand keys.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Final

from redis.asyncio import Redis

from keel.infrastructure.cache.codec import DICT_ID_SIZE, RAW, ZSTD, ZSTD_DICT
from keel.infrastructure.cache.keys import SCHEMA_VERSION
from keel.infrastructure.cache.user_store import LEASE_PREFIX

BATCH: Final = 500
_HEAD: Final = max(len(LEASE_PREFIX), 1 + DICT_ID_SIZE)


@dataclass(frozen=True)
class CacheCensus:
    users: int
    """Keys holding a cached user."""
    leases: int
    """Keys holding a reader's lease (a fill in progress)."""
    value_bytes: int
    """Total size of the cached users' values."""
    encodings: dict[str, int] = field(default_factory=dict)
    """Users per encoding: ``raw``, ``zstd``, ``zstd+dict:<id>``, ``unknown``."""
    server: dict[str, int | str] = field(default_factory=dict)
    """Server-wide figures from ``INFO``: memory, hits and misses of all keys, evictions."""


class UserCacheCensus:
    def __init__(self, client: Redis, key_prefix: str) -> None:
        self._client = client
        self._pattern = f"{key_prefix}:users:v{SCHEMA_VERSION}:*"

    async def take(self) -> CacheCensus:
        users = leases = value_bytes = 0
        encodings: Counter[str] = Counter()
        batch: list[bytes] = []
        async for key in self._client.scan_iter(match=self._pattern, count=BATCH):
            batch.append(key)
            if len(batch) == BATCH:
                users, leases, value_bytes = await self._count(batch, encodings, users, leases, value_bytes)
                batch = []
        if batch:
            users, leases, value_bytes = await self._count(batch, encodings, users, leases, value_bytes)
        info = await self._client.info()
        server: dict[str, int | str] = {
            name: info[name]
            for name in ("used_memory_human", "keyspace_hits", "keyspace_misses", "evicted_keys", "maxmemory_policy")
            if name in info
        }
        return CacheCensus(users, leases, value_bytes, dict(sorted(encodings.items())), server)

    async def _count(
        self, keys: list[bytes], encodings: Counter[str], users: int, leases: int, value_bytes: int
    ) -> tuple[int, int, int]:
        async with self._client.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.getrange(key, 0, _HEAD - 1)
                pipe.strlen(key)
            replies = await pipe.execute()
        for head, size in zip(replies[::2], replies[1::2], strict=True):
            if not head:  # expired or invalidated between SCAN and GETRANGE
                continue
            if head.startswith(LEASE_PREFIX):
                leases += 1
                continue
            users += 1
            value_bytes += int(size)
            encodings[_encoding(head)] += 1
        return users, leases, value_bytes


def _encoding(head: bytes) -> str:
    if head[0] == RAW:
        return "raw"
    if head[0] == ZSTD:
        return "zstd"
    if head[0] == ZSTD_DICT and len(head) >= 1 + DICT_ID_SIZE:
        return f"zstd+dict:{int.from_bytes(head[1 : 1 + DICT_ID_SIZE], 'big')}"
    return "unknown"
