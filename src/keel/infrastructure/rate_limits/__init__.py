"""Rate limiting in Redis: a generic cell rate algorithm in one Lua script, on the Redis server's clock."""

from keel.infrastructure.rate_limits.gcra import GCRA_SCRIPT
from keel.infrastructure.rate_limits.redis_limiter import RateLimitStats, RedisRateLimiter

__all__ = ["GCRA_SCRIPT", "RateLimitStats", "RedisRateLimiter"]
