"""The access-token denylist shared by every process through Redis, mirrored in each process's memory.

The authenticated request path never talks to Redis: it checks the in-process mirror (``DeniedAccessTokens``), one
dictionary lookup after the verified-token memo. Redis keeps the shared record and carries the news:

``deny(jti, until)``
    1. the mirror denies the token at once — whatever happens next, this process refuses it (fail closed here);
    2. one round trip sets ``{prefix}:auth:denied:{jti}`` (value: ``until``, expiring with the token) and publishes
       ``"{jti} {until}"`` on ``{prefix}:auth:denied``.
    If Redis fails, the denial is logged, counted (``stats.publish_failures``) and kept pending; the subscription
    re-sends pending denials each time it (re)connects.

``follow()`` — the subscription, a background task the container starts with the app
    subscribe to the channel, re-send pending denials, then *resync*: scan every denied key into the mirror; then
    apply each message as it arrives. Any Redis error: log, count (``stats.subscription_failures``), wait (0.1 s
    doubling to 5 s) and start again — with a resync after every (re)subscription, so nothing published while this
    process was disconnected is missed. Subscribing before scanning means a denial made meanwhile arrives by one path
    or the other (both is harmless). The subscription uses its own client without retries, so that every reconnect
    goes through this loop and its resync.

Propagation: another process denies the token once the message reaches it — typically well under a millisecond on a
local network; while it is disconnected from Redis, not until it reconnects and resyncs.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

import structlog
from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from keel.infrastructure.security.denied_tokens import DeniedAccessTokens
from keel.settings import CacheSettings

logger = structlog.get_logger(__name__)

_SCAN_COUNT: Final = 1000
_BACKOFF_FIRST: Final = 0.1
_BACKOFF_MAX: Final = 5.0
_IDLE_READ_SECONDS: Final = 1.0


@dataclass(eq=False)
class DenylistStats:
    """Counters per process, until a metrics adapter exports them."""

    published: int = 0
    publish_failures: int = 0
    received: int = 0
    resyncs: int = 0
    subscription_failures: int = 0


class RedisAccessTokenDenylist:
    """Implements ``AccessTokenDenylist`` over ``mirror``, shared through ``client``."""

    def __init__(
        self,
        client: Redis,
        mirror: DeniedAccessTokens,
        *,
        key_prefix: str,
        timeout_seconds: float = 2.0,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._client = client
        self.mirror = mirror
        self.channel = f"{key_prefix}:auth:denied"
        self._key_prefix = f"{key_prefix}:auth:denied:"
        self._timeout = timeout_seconds
        self._wall_clock = wall_clock
        self.pending: dict[str, float] = {}
        self.stats = DenylistStats()
        self.synchronised = asyncio.Event()
        """Set once the first resync has completed."""

    def is_denied(self, token_id: str) -> bool:
        return self.mirror.is_denied(token_id)

    async def deny(self, token_id: str, valid_until: datetime) -> None:
        until = valid_until.timestamp()
        self.mirror.add(token_id, until)
        try:
            await self._publish(self._client, {token_id: until})
        except (RedisError, OSError, TimeoutError) as error:
            self.pending[token_id] = until
            self.stats.publish_failures += 1
            logger.warning("auth.denylist.publish_failed", error=type(error).__name__, pending=len(self.pending))

    async def follow(self, client: Redis) -> None:
        """Keep the mirror in step with Redis until cancelled (see the module's description)."""
        delay = _BACKOFF_FIRST
        while True:
            try:
                async with client.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(self.channel)
                    await self._flush_pending(client)
                    await self._resync(client)
                    delay = _BACKOFF_FIRST
                    await self._listen(pubsub)
            except (RedisError, OSError, TimeoutError) as error:
                self.stats.subscription_failures += 1
                logger.warning("auth.denylist.subscription_lost", error=type(error).__name__, retry_in=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, _BACKOFF_MAX)

    async def _listen(self, pubsub: PubSub) -> None:
        while True:
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=_IDLE_READ_SECONDS)
            if message is not None and message.get("type") == "message":
                self._apply(message["data"])

    def _apply(self, data: object) -> None:
        parts = data.split() if isinstance(data, bytes) else []
        try:
            token_id, until = parts[0].decode("ascii"), float(parts[1])
        except (IndexError, ValueError, UnicodeDecodeError):
            logger.warning("auth.denylist.malformed_message")
            return
        self.stats.received += 1
        self.mirror.add(token_id, until)

    async def _resync(self, client: Redis) -> None:
        found = 0
        async for keys in _batches(client.scan_iter(match=f"{self._key_prefix}*", count=_SCAN_COUNT), _SCAN_COUNT):
            values = await client.mget(keys)
            for key, value in zip(keys, values, strict=True):
                if value is None:
                    continue  # expired between SCAN and MGET
                try:
                    until = float(value)
                except ValueError:
                    continue
                self.mirror.add(key.decode("ascii", "replace").removeprefix(self._key_prefix), until)
                found += 1
        self.stats.resyncs += 1
        self.synchronised.set()
        logger.info("auth.denylist.resynced", denied=found)

    async def _flush_pending(self, client: Redis) -> None:
        if not self.pending:
            return
        now = self._wall_clock()
        entries = {token_id: until for token_id, until in self.pending.items() if until > now}
        await self._publish(client, entries)
        for token_id in entries:
            self.pending.pop(token_id, None)
        self.pending = {token_id: until for token_id, until in self.pending.items() if until > now}
        logger.info("auth.denylist.pending_sent", count=len(entries))

    async def _publish(self, client: Redis, entries: dict[str, float]) -> None:
        now = self._wall_clock()
        async with asyncio.timeout(self._timeout), client.pipeline(transaction=False) as pipeline:
            for token_id, until in entries.items():
                ttl = max(1, math.ceil(until - now))
                pipeline.set(f"{self._key_prefix}{token_id}", repr(until), ex=ttl)
                pipeline.publish(self.channel, f"{token_id} {until!r}")
            await pipeline.execute()
        self.stats.published += len(entries)


async def _batches(keys: AsyncIterator[bytes], size: int) -> AsyncIterator[list[bytes]]:
    batch: list[bytes] = []
    async for key in keys:
        batch.append(key)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def subscription_client(settings: CacheSettings) -> Redis:
    """A client for the subscription alone: no transparent retries, so each reconnect is seen (and resynced)."""
    return Redis.from_url(
        settings.url,
        socket_timeout=settings.socket_timeout_seconds,
        socket_connect_timeout=settings.socket_timeout_seconds,
        health_check_interval=30,
        retry=Retry(NoBackoff(), 0),
        decode_responses=False,
    )


async def denylist_subscription(
    denylist: RedisAccessTokenDenylist, settings: CacheSettings, *, startup_wait_seconds: float = 2.0
) -> AsyncIterator[RedisAccessTokenDenylist]:
    """A container resource: follow the shared denylist while the process runs. Start-up waits up to
    ``startup_wait_seconds`` for the first resync, so a new process refuses already denied tokens from its first
    request; if Redis does not answer by then, it starts anyway (logged) and catches up when Redis does."""
    client = subscription_client(settings)
    task = asyncio.create_task(denylist.follow(client), name="access-token-denylist")
    try:
        try:
            await asyncio.wait_for(denylist.synchronised.wait(), timeout=startup_wait_seconds)
        except TimeoutError:
            logger.warning("auth.denylist.started_unsynchronised", waited_seconds=startup_wait_seconds)
        yield denylist
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await client.aclose()
