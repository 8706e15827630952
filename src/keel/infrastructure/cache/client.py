"""The Redis client as a container resource: built on start, its pool closed on stop."""

from __future__ import annotations

from collections.abc import AsyncIterator

import structlog
from redis.asyncio import Redis

from keel.settings import CacheSettings

logger = structlog.get_logger(__name__)


def build_redis(settings: CacheSettings) -> Redis:
    return Redis.from_url(
        settings.url,
        socket_timeout=settings.socket_timeout_seconds,
        socket_connect_timeout=settings.socket_timeout_seconds,
        health_check_interval=30,
        decode_responses=False,
    )


async def redis_resource(settings: CacheSettings) -> AsyncIterator[Redis]:
    """Create the client (it connects lazily) and close its connection pool on shutdown."""
    client = build_redis(settings)
    logger.info("cache.redis.started")
    try:
        yield client
    finally:
        await client.aclose()
        logger.info("cache.redis.stopped")
