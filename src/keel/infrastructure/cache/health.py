"""Readiness probe of Redis (registered only when the cache is on)."""

from __future__ import annotations

from redis.asyncio import Redis


class RedisHealthCheck:
    name = "redis"

    def __init__(self, client: Redis, *, required: bool) -> None:
        self._client = client
        self.required = required

    async def probe(self) -> None:
        await self._client.ping()
