"""The cache port: bytes in, bytes out, with a time to live. Implementations must never raise on a backend failure
for reads they can fall through (that policy lives in the adapters that use it)."""

from __future__ import annotations

from typing import Protocol


class Cache(Protocol):
    @property
    def enabled(self) -> bool: ...

    async def get(self, key: str) -> bytes | None: ...

    async def set(self, key: str, value: bytes, ttl_seconds: int) -> None: ...

    async def delete(self, *keys: str) -> None: ...
