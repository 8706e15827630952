"""The servers under test and their settings: keel and its floor, per cache mode, on one scratch database and Redis.

The servers inherit no ``KEEL_*`` variable from this shell, and keel runs outside the repository so that no ``.env``
applies: what is measured is keel's defaults plus the variables set here. Besides the database, Redis, host and port,
those are benchmark conditions, printed with the figures:

- cheap argon2 parameters (``ARGON2``): seeding 10,000 users and timing creates must not be a password-hashing
  benchmark; the production defaults are deliberately slow;
- access tokens valid for a day, so that one token lasts the whole run;
- signing keys in a scratch folder shared by every keel process (one key; each accepts the others' tokens);
- rate limits on, every class counted in Redis, with limits no run reaches (``benchmarks.quotas``): the round trip is
  measured, refusals never happen. The floor counts its users requests against the same ``read`` quota.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import asyncpg

from benchmarks.http_overhead import FLOOR, KEEL
from benchmarks.quotas import KEEL_RATE_LIMITS, READ_QUOTA
from benchmarks.scratch_db import ScratchDatabase
from benchmarks.servers import ServerProcess, free_port, pinned

REPO_ROOT: Final = Path(__file__).resolve().parent.parent
KEEL_SERVE: Final = ("-m", "keel", "serve")
ARGON2: Final = {
    "KEEL_SECURITY__ARGON2_TIME_COST": "1",
    "KEEL_SECURITY__ARGON2_MEMORY_COST_KIB": "1024",
    "KEEL_SECURITY__ARGON2_PARALLELISM": "1",
}
ARGON2_TEXT: Final = "argon2id t=1, m=1 MiB, p=1 (hashing cost is not what is measured)"
FLOOR_CACHE_CODEC: Final = "zstd"
MIGRATION_TIMEOUT_SECONDS: Final = 120


@dataclass(frozen=True, slots=True)
class Pair:
    """keel with ``KEEL_CACHE__MODE=<cache>`` and the floor doing the same (cache ``off`` or ``zstd``)."""

    cache: str
    keel: ServerProcess
    floor: ServerProcess

    @property
    def roles(self) -> tuple[tuple[str, ServerProcess], ...]:
        return (KEEL, self.keel), (FLOOR, self.floor)


@dataclass(frozen=True, slots=True)
class Stack:
    database: ScratchDatabase
    redis_url: str
    scratch: Path
    cpu: int | None
    log_level: str

    def base_environment(self) -> dict[str, str]:
        return {key: value for key, value in os.environ.items() if not key.startswith("KEEL_")}

    def keel_environment(self, cache: str, port: int | None = None) -> dict[str, str]:
        env = {
            **self.base_environment(),
            **ARGON2,
            **KEEL_RATE_LIMITS,
            "KEEL_DATABASE__URL": self.database.sqlalchemy_url,
            "KEEL_DATABASE__MIGRATIONS_DIR": str(REPO_ROOT / "migrations"),
            "KEEL_CACHE__URL": self.redis_url,
            "KEEL_CACHE__MODE": cache,
            "KEEL_SECURITY__KEYS_DIR": str(self.scratch / "keys"),
            "KEEL_SECURITY__ACCESS_TOKEN_TTL_SECONDS": "86400",
            "KEEL_API__HOST": "127.0.0.1",
            "KEEL_OBSERVABILITY__LOG_LEVEL": self.log_level,
        }
        if port is not None:
            env["KEEL_API__PORT"] = str(port)
        return env

    def migrate(self) -> None:
        """``keel db upgrade`` on the scratch database: the users scenarios need the schema."""
        completed = subprocess.run(
            [sys.executable, "-m", "keel", "db", "upgrade"],
            env=self.keel_environment("off"),
            cwd=self.scratch,
            capture_output=True,
            text=True,
            timeout=MIGRATION_TIMEOUT_SECONDS,
            check=False,
        )
        if completed.returncode != 0:
            raise RuntimeError(f"keel db upgrade failed:\n{completed.stdout}\n{completed.stderr}")

    def analyze(self) -> None:
        """``ANALYZE`` after seeding, as autovacuum would soon do (and never does where it is off).

        Without statistics the planner serves ``tenant_id = $1 AND id = $2 AND deleted_at IS NULL`` from the partial
        unique index on ``(tenant_id, username)``, reading every user of the tenant: the run would measure that.
        """

        async def analyze() -> None:
            connection = await asyncpg.connect(self.database.asyncpg_dsn, timeout=10)
            try:
                await connection.execute("ANALYZE")
            finally:
                await connection.close()

        asyncio.run(analyze())

    def pair(self, cache: str) -> Pair:
        """keel and its floor for ``cache`` (``redis`` or ``off``); the floor gets keel's JWKS URL to verify tokens."""
        suffix = "" if cache == "redis" else f" (cache {cache})"
        keel_port, floor_port = free_port(), free_port()
        keel = ServerProcess(
            name=f"{KEEL}{suffix}",
            command=pinned([sys.executable, *KEEL_SERVE, "--port", str(keel_port)], self.cpu),
            port=keel_port,
            log_path=self.scratch / f"keel-{cache}.log",
            env=self.keel_environment(cache, keel_port),
            cwd=self.scratch,
        )
        floor_command = [sys.executable, "-m", "benchmarks.floor_app", "--port", str(floor_port)]
        floor_command += ["--database-url", self.database.asyncpg_dsn, "--redis-url", self.redis_url]
        floor_command += ["--jwks-url", f"{keel.base_url}/.well-known/jwks.json"]
        floor_command += ["--cache", FLOOR_CACHE_CODEC if cache == "redis" else "off"]
        floor_command += ["--read-quota", READ_QUOTA]
        floor = ServerProcess(
            name=f"{FLOOR}{suffix}",
            command=pinned(floor_command, self.cpu),
            port=floor_port,
            log_path=self.scratch / f"floor-{cache}.log",
            env=self.base_environment(),
            cwd=REPO_ROOT,
        )
        return Pair(cache, keel, floor)
