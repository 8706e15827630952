"""Users in Redis, read through with leases so that a stale row can never be stored, and never failing a read.

One key per user (``keys``) holds either the encoded user or a *lease*: ``LEASE_PREFIX`` + a random token (a value
always starts with a codec header byte, 0x00-0x02, so the two cannot be confused). Holding the lease and the value in
the same key keeps a hit to one ``GET``, an invalidation to one ``DEL`` for any number of users, and every script
single-key.

A read:

1. ``GET``. A value is a hit. A value this process cannot decode (a dictionary it does not know yet, corruption) is
   read from the database without touching the key.
2. Missing: concurrent misses in this process share one read (``SingleFlight``); the leader takes the lease —
   ``SET key token NX PX lease`` — *before* reading the database.
3. It reads the row (``load``), then stores it with a script that sets the value only if the key still holds its
   token. A writer's post-commit invalidation deletes the key, lease included, so a reader that loaded the row before
   the write committed finds its lease gone and stores nothing: the stale row never lands. A lease outlives a crashed
   reader by ``lease_seconds`` at most.
4. A reader that finds someone else's lease polls the key briefly (2 ms, doubling, up to ``lease_wait_seconds``) for
   the value, then reads the database without storing anything. A hundred concurrent misses on one key cost one
   database read, two if the lease holder is slower than the wait.

This is correct when ``load`` sees every transaction committed before it started (PostgreSQL's default READ
COMMITTED, or a fresh transaction); a snapshot taken before the lease (REPEATABLE READ) could store an old row.

Redis failures (``RedisError``, ``OSError``: refused, reset, timed out) never fail a read: the call falls through to
the database, the error is logged (its class only) and counted in ``stats``, and the ``CircuitBreaker`` stops calling
Redis for a while after repeated failures. An invalidation that fails is kept (up to ``max_pending_invalidations``
keys) and retried before this process next reads from Redis; until it succeeds, this process reads the database.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, replace
from enum import Enum
from typing import Final, Literal
from uuid import UUID

import structlog
import zstandard as zstd
from redis.asyncio import Redis
from redis.exceptions import RedisError

from keel.domain.users import User
from keel.infrastructure.cache.breaker import CircuitBreaker
from keel.infrastructure.cache.codec import UndecodableValue, UnknownDictionary
from keel.infrastructure.cache.keys import UserCacheKeys
from keel.infrastructure.cache.single_flight import SingleFlight
from keel.infrastructure.cache.stats import CacheStats
from keel.infrastructure.cache.user_codec import UserCacheCodec

logger = structlog.get_logger(__name__)

LEASE_PREFIX: Final = b"\xfflease:"
_REDIS_ERRORS: Final = (RedisError, OSError)
_FIRST_POLL_SECONDS: Final = 0.002
_MAX_POLL_SECONDS: Final = 0.016

# Set the value only while the reader's lease is still there: a delete (invalidation) or expiry in between wins.
_FILL_SCRIPT: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0
"""
_RELEASE_SCRIPT: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""

type UserLoader = Callable[[], Awaitable[User | None]]


class _Unavailable(Enum):
    REDIS = "unavailable"


_UNAVAILABLE: Final = _Unavailable.REDIS


@dataclass(frozen=True, slots=True)
class _Read:
    user: User | None
    lease: bytes | None  # held by this caller: the leader of the flight
    from_cache: bool


class UserCacheStore:
    """Per process (one per Redis client): it holds the breaker, the counters and the in-flight reads."""

    def __init__(
        self,
        client: Redis,
        codec: UserCacheCodec,
        *,
        key_prefix: str,
        ttl_seconds: int,
        breaker: CircuitBreaker,
        lease_seconds: float = 2.0,
        lease_wait_seconds: float = 0.1,
        max_pending_invalidations: int = 10_000,
        stats: CacheStats | None = None,
    ) -> None:
        self._client = client
        self._codec = codec
        self._keys = UserCacheKeys(key_prefix)
        self._ttl_ms = ttl_seconds * 1000
        self._lease_ms = max(1, round(lease_seconds * 1000))
        self._lease_wait = lease_wait_seconds
        self._breaker = breaker
        self._max_pending = max_pending_invalidations
        self._fill = client.register_script(_FILL_SCRIPT)
        self._release = client.register_script(_RELEASE_SCRIPT)
        self._flights: SingleFlight[str, _Read] = SingleFlight()
        self._pending: set[str] = set()
        # Given by the container so the metrics collector reads the same counters; else the store's own.
        self.stats = stats if stats is not None else CacheStats(breaker)

    def key(self, tenant_id: UUID, user_id: UUID) -> str:
        return self._keys.user(tenant_id, user_id)

    async def get(self, tenant_id: UUID, user_id: UUID, load: UserLoader) -> User | None:
        """The user — deleted or not — from Redis, else from ``load`` (the committed row, deleted users included),
        stored when this caller holds the key's lease. ``None`` when ``load`` finds no such user (not cached)."""
        key = self._keys.user(tenant_id, user_id)
        if self._pending and not await self._flush_pending():
            return await self._from_database(load)
        value = await self._call("get", lambda: self._get(key))
        if value is _UNAVAILABLE:
            return await self._from_database(load)
        leased = value is not None and value.startswith(LEASE_PREFIX)
        if value is not None and not leased:
            user = self._decode(value, tenant_id, user_id)
            if user is None:  # not ours to read, so not ours to replace either
                return await self._from_database(load)
            self.stats.hits += 1
            return user
        read, shared = await self._flights.run(key, lambda: self._read(key, tenant_id, user_id, load, leased=leased))
        if read.from_cache:
            self.stats.hits += 1
        else:
            self.stats.misses += 1
        if shared:  # every caller gets its own copy (every field of a User is immutable)
            return None if read.user is None else replace(read.user)
        if read.lease is not None:
            await self._store(key, read.lease, read.user)
        return read.user

    async def invalidate(self, ids: Iterable[tuple[UUID, UUID]]) -> None:
        """Delete these users' entries (value or lease) in one call. Never raises: if Redis fails, the keys are kept
        and deleted before this process next reads from Redis."""
        keys = {self._keys.user(tenant_id, user_id) for tenant_id, user_id in ids} | self._pending
        if not keys:
            return
        if await self._call("invalidate", lambda: self._client.delete(*keys)) is _UNAVAILABLE:
            self._keep_pending(keys)
        else:
            self._pending -= keys
        self.stats.invalidations_pending = len(self._pending)

    async def _read(self, key: str, tenant_id: UUID, user_id: UUID, load: UserLoader, *, leased: bool) -> _Read:
        """The flight leader's read: take the lease and load, or wait for the lease holder's value."""
        if not leased:
            token = LEASE_PREFIX + secrets.token_bytes(12)
            acquired = await self._call("lease", lambda: self._client.set(key, token, nx=True, px=self._lease_ms))
            if acquired is _UNAVAILABLE:
                return _Read(await load(), lease=None, from_cache=False)
            if acquired:
                try:
                    return _Read(await load(), lease=token, from_cache=False)
                except Exception:
                    await self._call("release", lambda: self._release(keys=[key], args=[token]))
                    raise
        user = await self._wait_for_value(key, tenant_id, user_id)
        if user is not None:
            return _Read(user, lease=None, from_cache=True)
        return _Read(await load(), lease=None, from_cache=False)

    async def _wait_for_value(self, key: str, tenant_id: UUID, user_id: UUID) -> User | None:
        """The value the lease holder stores, if it does within ``lease_wait_seconds``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._lease_wait
        delay = _FIRST_POLL_SECONDS
        while True:
            value = await self._call("get", lambda: self._get(key))
            if value is _UNAVAILABLE or value is None:  # Redis failed, or the lease was released or invalidated
                return None
            if not value.startswith(LEASE_PREFIX):
                return self._decode(value, tenant_id, user_id)
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            await asyncio.sleep(min(delay, remaining))
            delay = min(delay * 2, _MAX_POLL_SECONDS)

    async def _store(self, key: str, lease: bytes, user: User | None) -> None:
        """Replace our lease with the value — only if the lease is still there; release it if there is no user."""
        if user is None:
            await self._call("release", lambda: self._release(keys=[key], args=[lease]))
            return
        try:
            value = self._codec.encode(user)
        except (ValueError, TypeError, OverflowError, zstd.ZstdError) as error:  # served, just not cached
            self.stats.errors += 1
            logger.error("cache.user.unencodable", error=type(error).__name__)
            await self._call("release", lambda: self._release(keys=[key], args=[lease]))
            return
        stored = await self._call("fill", lambda: self._fill(keys=[key], args=[lease, value, self._ttl_ms]))
        if stored == 0:
            self.stats.fills_rejected += 1

    async def _get(self, key: str) -> bytes | None:
        value = await self._client.get(key)
        return value.encode() if isinstance(value, str) else value  # str only from a client with decode_responses

    async def _from_database(self, load: UserLoader) -> User | None:
        self.stats.misses += 1
        return await load()

    def _decode(self, value: bytes, tenant_id: UUID, user_id: UUID) -> User | None:
        try:
            return self._codec.decode(value, tenant_id=tenant_id, user_id=user_id)
        except UndecodableValue as error:
            self.stats.undecodable += 1
            # Expected for a while after a dictionary rotation; anything else is worth a look.
            log = logger.info if isinstance(error, UnknownDictionary) else logger.warning
            log("cache.value.undecodable", error=type(error).__name__)
            return None

    async def _flush_pending(self) -> bool:
        keys = set(self._pending)
        if await self._call("invalidate", lambda: self._client.delete(*keys)) is _UNAVAILABLE:
            return False
        self._pending -= keys
        self.stats.invalidations_pending = len(self._pending)
        return True

    def _keep_pending(self, keys: set[str]) -> None:
        room = self._max_pending - len(self._pending)
        new = keys - self._pending
        if len(new) > room:
            logger.error("cache.invalidations.dropped", dropped=len(new) - room)
            new = set(list(new)[: max(room, 0)])
        self._pending |= new

    async def _call[T](
        self, operation: Literal["get", "lease", "fill", "release", "invalidate"], command: Callable[[], Awaitable[T]]
    ) -> T | Literal[_Unavailable.REDIS]:
        """``command()``, unless the breaker is open or Redis fails: then ``_UNAVAILABLE`` (logged and counted)."""
        if not self._breaker.allow():
            self.stats.bypassed += 1
            return _UNAVAILABLE
        try:
            result = await command()
        except _REDIS_ERRORS as error:
            self.stats.errors += 1
            self._breaker.record_failure()
            logger.warning("cache.redis.failed", operation=operation, error=type(error).__name__)
            return _UNAVAILABLE
        self._breaker.record_success()
        return result
