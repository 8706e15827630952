"""Implementations of the ``Cache`` port: Redis, and a null cache for ``cache.mode = off``."""

from __future__ import annotations

from redis.asyncio import Redis


class RedisCache:
    """Keys are namespaced with the configured prefix so several services can share one Redis."""

    enabled = True

    def __init__(self, client: Redis, key_prefix: str) -> None:
        self._client = client
        self._prefix = f"{key_prefix}:"

    async def get(self, key: str) -> bytes | None:
        value = await self._client.get(self._prefix + key)
        if isinstance(value, str):  # only if the client was built with decode_responses, which ours is not
            return value.encode()
        return value

    async def set(self, key: str, value: bytes, ttl_seconds: int) -> None:
        await self._client.set(self._prefix + key, value, ex=ttl_seconds)

    async def delete(self, *keys: str) -> None:
        if keys:
            await self._client.delete(*(self._prefix + key for key in keys))


class NullCache:
    """Caching switched off: every read misses, writes are dropped."""

    enabled = False

    async def get(self, key: str) -> bytes | None:
        return None

    async def set(self, key: str, value: bytes, ttl_seconds: int) -> None:
        return None

    async def delete(self, *keys: str) -> None:
        return None
