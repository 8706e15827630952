"""Where a cached user lives in Redis: ``{prefix}:users:v{SCHEMA_VERSION}:{tenant_id}:{user_id}``.

The tenant is part of the key, so one tenant's read can never be answered with another tenant's user, and the schema
version is too: bump ``SCHEMA_VERSION`` whenever the cached record's layout changes (``user_codec``), and processes of
the old and the new release simply stop seeing each other's entries instead of misreading them.
"""

from __future__ import annotations

from typing import Final
from uuid import UUID

SCHEMA_VERSION: Final = 1


class UserCacheKeys:
    def __init__(self, key_prefix: str) -> None:
        self._base = f"{key_prefix}:users:v{SCHEMA_VERSION}:"

    def user(self, tenant_id: UUID, user_id: UUID) -> str:
        return f"{self._base}{tenant_id}:{user_id}"
