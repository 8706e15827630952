"""The Redis client as a container resource: built on start, its pool closed on stop.

A command that finds its pooled connection broken (``ConnectionError``: reset, closed by the server) is sent once
more, at once, on a new connection. After Redis restarts, every connection the pool kept from before is dead; without
that retry each would fail one command, and a handful failing in a row reopens the circuit breakers that had just
closed (the cache's and the rate limiter's). A timeout is not retried — it would double the wait on a slow Redis —
and neither is a refused connection more than once: against a dead Redis, one retry costs one more refused connect.
A retried command may have run once already if the connection broke after sending it. Reads, deletes and the cache's
scripts are safe to repeat; two are not quite: a rate-limit hit may count twice, and a partner request's nonce claim
(``SET NX``) may find its own first attempt and refuse the request as a replay rather than answer 503 — both only when
a connection breaks between a command's arrival and its reply.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import structlog
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError

from keel.settings import CacheSettings

logger = structlog.get_logger(__name__)


def build_redis(settings: CacheSettings) -> Redis:
    return Redis.from_url(
        settings.url,
        socket_timeout=settings.socket_timeout_seconds,
        socket_connect_timeout=settings.socket_timeout_seconds,
        health_check_interval=30,
        retry=reconnect_once(),
        decode_responses=False,
    )


def reconnect_once() -> Retry:
    """One immediate retry, on a new connection, of a command whose connection broke."""
    return Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,))


async def redis_resource(settings: CacheSettings) -> AsyncIterator[Redis]:
    """Create the client (it connects lazily) and close its connection pool on shutdown."""
    client = build_redis(settings)
    logger.info("cache.redis.started")
    try:
        yield client
    finally:
        await client.aclose()
        logger.info("cache.redis.stopped")
