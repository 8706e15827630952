"""Fixtures shared by every test directory: the real PostgreSQL and Redis of the run, settings, the app.

Each test session (each xdist worker) gets a fresh database, migrated with the same applier as ``keel db upgrade``,
and its own Redis database. Tests are isolated from each other: the Redis database is flushed before each test that
uses it, and ``clean_database`` empties every table after an end-to-end test.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from keel.infrastructure.migrations import MigrationService
from keel.settings import RateLimitClass, Settings
from support import postgres, redis

pytest_plugins = [
    "support.smtp",  # the `smtp_server` fixture: a real SMTP server per test
    "support.temporal",  # Temporal servers: the time-skipping test server and the dev server
    "support.app",  # `app`, `client` (the app over HTTP), `sign_up` and `add_user`
    "support.resilience",  # `resilience_figures`, and the table of figures the resilience suite prints
]

REPO_ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS_DIR = REPO_ROOT / "migrations"
REVISIONS_TABLE = "keel_schema_revisions"
UNREACHABLE_TEMPORAL = "127.0.0.1:1"
RATE_LIMIT_CLASSES = tuple(route_class.value for route_class in RateLimitClass)


def _shared_tmp(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """A directory all xdist workers of this run share (the per-worker base temp's parent)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if worker_id != "master" else base


# --- PostgreSQL --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pg_admin_url(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[str]:
    """SQLAlchemy URL of the test server's maintenance database (``postgres``)."""
    configured = postgres.server_from_environment()
    if configured:
        yield configured
        return
    url, server = postgres.start_embedded(_shared_tmp(tmp_path_factory, worker_id) / "embedded-postgres")
    yield url
    server.cleanup()  # type: ignore[attr-defined]


@pytest.fixture
async def make_database(pg_admin_url: str) -> AsyncIterator[Callable[[], Awaitable[str]]]:
    """``url = await make_database()``: a new empty database, dropped after the test."""
    created: list[str] = []

    async def make() -> str:
        name = postgres.unique_database_name("keel_scratch_test")
        created.append(name)
        return await postgres.create_database(pg_admin_url, name)

    yield make
    for name in created:
        await postgres.drop_database(pg_admin_url, name)


@pytest.fixture(scope="session")
async def database_url(pg_admin_url: str, worker_id: str) -> AsyncIterator[str]:
    """This worker's database, migrated from ``migrations/`` by the same applier as ``keel db upgrade``."""
    name = postgres.unique_database_name(f"keel_test_{worker_id}")
    url = await postgres.create_database(pg_admin_url, name)
    await MigrationService(database_url=url, migrations_dir=MIGRATIONS_DIR).upgrade()
    yield url
    await postgres.drop_database(pg_admin_url, name)


@pytest.fixture
async def clean_database(database_url: str) -> AsyncIterator[str]:
    """The worker's database, emptied after the test (for tests that commit through the app's own pool)."""
    yield database_url
    await postgres.truncate_all(database_url, keep=(REVISIONS_TABLE,))


# --- Redis -------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def redis_url(worker_id: str) -> Iterator[str]:
    configured = redis.server_from_environment()
    if configured:
        yield redis.with_database(configured, redis.database_for_worker(worker_id))
        return
    server = redis.start_embedded()
    yield server.url
    server.stop()


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[Redis]:
    """A client on this worker's Redis database, flushed before the test."""
    client = Redis.from_url(redis_url)
    await client.flushdb()
    yield client
    await client.aclose()


# --- Settings ------------------------------------------------------------------------------------------------------


@pytest.fixture
def settings(clean_database: str, redis_client: Redis, redis_url: str, tmp_path: Path) -> Settings:
    """Test settings on the real services, independent of the developer's environment and ``.env``."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        environment="test",  # type: ignore[arg-type]
        database={"url": clean_database, "migrations_dir": MIGRATIONS_DIR},  # type: ignore[arg-type]
        # a loaded test machine can stall a Redis reply past the default 0.5 s; tests of timeouts set their own
        cache={"url": redis_url, "mode": "redis", "socket_timeout_seconds": 5.0},  # type: ignore[arg-type]
        security={  # type: ignore[arg-type]
            "keys_dir": tmp_path / "keys",
            # the cheapest argon2id the policy accepts: tests exercise hashing, not its cost
            "argon2_time_cost": 1,
            "argon2_memory_cost_kib": 1024,
            "argon2_parallelism": 1,
        },
        # Nothing listens on port 1: Temporal is unreachable unless a test points at one of its servers.
        temporal={"address": UNREACHABLE_TEMPORAL, "connect_timeout_seconds": 1.0},  # type: ignore[arg-type]
        # No worker metrics port: tests running workers side by side would compete for it.
        # quotas on, counted in Redis like in production, but high enough that no test meets one by chance: the
        # tests of rate limiting set their own
        rate_limit=dict.fromkeys(RATE_LIMIT_CLASSES, "100000/1m"),  # type: ignore[arg-type]
        observability={  # type: ignore[arg-type]
            "log_format": "console",
            "log_level": "WARNING",
            "worker_metrics_port": 0,
        },
        dev={"state_dir": tmp_path / "state"},  # type: ignore[arg-type]
        jobs={"storage_dir": tmp_path / "files"},  # type: ignore[arg-type]
        # Workers of tests share a dev server: the maintenance schedule they keep stays paused, so no run of it ever
        # reaches a test's database; the tests of the schedule turn it on.
        maintenance={"enabled": False},  # type: ignore[arg-type]
    )
