"""``RedisNonceRegister``: the ``NonceRegister`` port as one ``SET key 1 NX EX ttl`` per claim.

``NX`` makes the claim atomic across every process sharing the Redis: of two requests carrying the same nonce, exactly
one sets the key. A Redis failure is ``DependencyUnavailable``: a signed request whose replay cannot be ruled out is
refused, never let through.
"""

from __future__ import annotations

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

from keel.application.errors import DependencyUnavailable

logger = structlog.get_logger(__name__)


class RedisNonceRegister:
    """Implements ``NonceRegister``."""

    def __init__(self, client: Redis, *, key_prefix: str) -> None:
        self._client = client
        self._prefix = f"{key_prefix}:nonce"

    async def claim(self, key: str, *, ttl_seconds: int) -> bool:
        try:
            claimed = await self._client.set(f"{self._prefix}:{key}", b"1", nx=True, ex=ttl_seconds)
        except (RedisError, OSError) as error:
            logger.error("nonce_register.unavailable", reason=type(error).__name__)
            raise DependencyUnavailable(
                "Signed requests cannot be checked for replay now; try again shortly."
            ) from None
        return bool(claimed)
