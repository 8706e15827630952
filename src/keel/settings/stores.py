"""The data stores' sections: PostgreSQL (``KEEL_DATABASE__*``) and the Redis cache (``KEEL_CACHE__*``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from keel.settings._common import (
    CacheMode,
    _Section,
)


class DatabaseSettings(_Section):
    url: str = Field(
        default="postgresql+asyncpg://postgres@127.0.0.1:5432/keel",
        description="SQLAlchemy URL of the PostgreSQL database (driver asyncpg).",
    )
    pool_size: int = Field(default=20, ge=1, le=200, description="Connections kept open in the pool.")
    max_overflow: int = Field(
        default=0,
        ge=0,
        le=200,
        description="Extra connections above pool_size, closed as soon as they are returned (under steady load "
        "they churn: a new PostgreSQL backend each time). Prefer a larger pool_size.",
    )
    pool_timeout_seconds: float = Field(default=5.0, gt=0, description="Wait for a free pooled connection.")
    connect_timeout_seconds: float = Field(default=5.0, gt=0, description="TCP/handshake timeout per connection.")
    statement_timeout_ms: int = Field(default=15_000, ge=0, description="Server-side statement_timeout; 0 = none.")
    echo: bool = Field(default=False, description="Log every SQL statement (development only).")
    pool_pre_ping: bool = Field(
        default=False,
        description="Test each connection on checkout (3 extra round trips with asyncpg). Off: after a server "
        "restart the first use of a stale connection fails and the whole pool is recycled.",
    )
    migrations_dir: Path = Field(default=Path("migrations"), description="Atlas versioned migration directory.")
    dev_url: str | None = Field(
        default=None,
        description="Server for throwaway databases used by `keel db new` and `keel db check` (Atlas's dev URL); "
        "defaults to the server of `url`.",
    )


class CacheSettings(_Section):
    mode: CacheMode = Field(default=CacheMode.REDIS, description="`redis` caches reads in Redis; `off` disables it.")
    url: str = Field(default="redis://127.0.0.1:6379/0", description="Redis URL (redis://, rediss:// or unix://).")
    default_ttl_seconds: int = Field(default=300, ge=1, description="Time to live of cached entries.")
    socket_timeout_seconds: float = Field(default=0.5, gt=0, description="Per-command Redis timeout.")
    key_prefix: str = Field(default="keel", min_length=1, description="Namespace of every cache key.")
    breaker_failure_threshold: int = Field(
        default=5, ge=1, description="Consecutive Redis failures that open the circuit breaker (Redis skipped)."
    )
    breaker_open_seconds: float = Field(
        default=5.0, gt=0, description="How long the open breaker skips Redis before one trial call."
    )
    lease_seconds: float = Field(
        default=2.0, gt=0, description="Life of the lease a reader takes on a miss before filling the cache."
    )
    lease_wait_seconds: float = Field(
        default=0.1, ge=0, description="How long a reader waits for another reader's fill before asking PostgreSQL."
    )
    required_for_readiness: bool = Field(
        default=False,
        description="Whether a dead Redis makes /health/ready fail (503). Off by default: reads fall through to "
        "PostgreSQL, so pulling every instance out of the balancer would turn a cache outage into a full one.",
    )
