"""The real API as a process (``keel serve``) in front of a private PostgreSQL and Redis, and the stack as a whole.

``private_stack(directory, **settings)`` starts PostgreSQL, creates and migrates the app's database with the same
applier as ``keel db upgrade``, starts Redis, then ``keel serve`` configured only by environment variables (the
names of ``.env.example``; the developer's own ``KEEL_*`` variables and ``.env`` are left out), and waits until
``/health/ready`` answers 200. Leaving the block stops all three, whatever state a test left them in.

The settings given are ``KEEL_*`` names without the prefix (``{"CACHE__BREAKER_OPEN_SECONDS": "1"}``): a scenario
sets the timeouts and quotas it measures against, and reads them back from ``stack.settings`` to derive its bounds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import httpx

from keel.infrastructure.migrations import MigrationService
from support.api import PASSWORD, Caller, log_in
from support.network import free_port
from support.private_services import START_SECONDS, PrivatePostgres, PrivateRedis, stop_process, track, untrack

REPO_ROOT: Final = Path(__file__).resolve().parents[2]
MIGRATIONS_DIR: Final = REPO_ROOT / "migrations"
DATABASE: Final = "keel"
UNREACHABLE_TEMPORAL: Final = "127.0.0.1:1"
HIGH_QUOTA: Final = "1000000/1h"

# What every private app runs with; a scenario's own settings override these.
BASE_SETTINGS: Final[Mapping[str, str]] = {
    "ENVIRONMENT": "test",
    "TEMPORAL__ADDRESS": UNREACHABLE_TEMPORAL,  # not required for readiness: the API only writes the outbox
    "TEMPORAL__CONNECT_TIMEOUT_SECONDS": "1",
    "SECURITY__ARGON2_TIME_COST": "1",  # the cheapest hash the policy accepts: scenarios measure the service, not it
    "SECURITY__ARGON2_MEMORY_COST_KIB": "1024",
    "SECURITY__ARGON2_PARALLELISM": "1",
    # Redis is killed, not slowed, in these scenarios (refused at once); a loaded machine stalls replies past 0.5 s.
    "CACHE__SOCKET_TIMEOUT_SECONDS": "2",
    "OBSERVABILITY__LOG_FORMAT": "json",
    "OBSERVABILITY__LOG_LEVEL": "INFO",
    "OBSERVABILITY__WORKER_METRICS_PORT": "0",
    **{f"RATE_LIMIT__{name}": HIGH_QUOTA for name in ("LOGIN", "PASSWORD_RESET", "SIGNUP", "WRITE", "READ")},
}


class PrivateApi:
    """``keel serve`` in a subprocess; ``close()`` stops it (SIGTERM, then SIGKILL) if it still runs."""

    def __init__(self, directory: Path, environment: Mapping[str, str]) -> None:
        self.directory = directory
        self.port = free_port()
        self.log = directory / "serve.log"
        self.environment = {
            **{name: value for name, value in os.environ.items() if not name.startswith("KEEL_")},
            **environment,
            "KEEL_API__HOST": "127.0.0.1",
            "KEEL_API__PORT": str(self.port),
        }
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def setting(self, name: str) -> str:
        return self.environment[f"KEEL_{name}"]

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "keel", "serve"],
                env=self.environment,
                cwd=self.directory,  # no .env there
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        track(self)

    def wait_ready(self, within: float = START_SECONDS) -> None:
        assert self.process is not None
        deadline = time.monotonic() + within
        while True:
            try:
                if httpx.get(f"{self.base_url}/health/ready", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"keel serve did not become ready:\n{self.log_text()[-3000:]}")
            time.sleep(0.05)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def log_events(self) -> list[dict[str, Any]]:
        """The JSON lines of the log (uvicorn's own plain lines left out)."""
        events: list[dict[str, Any]] = []
        for line in self.log_text().splitlines():
            if line.startswith("{"):
                events.append(json.loads(line))
        return events

    def close(self) -> None:
        untrack(self)
        if self.process is not None:
            stop_process(self.process)


@dataclass
class PrivateStack:
    postgres: PrivatePostgres
    redis: PrivateRedis
    api: PrivateApi

    @property
    def database_url(self) -> str:
        return self.postgres.url(DATABASE)

    @property
    def database_dsn(self) -> str:
        return self.postgres.dsn(DATABASE)

    def client(self, **kwargs: Any) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.api.base_url, **kwargs)


def app_environment(
    postgres: PrivatePostgres, redis: PrivateRedis, directory: Path, settings: Mapping[str, str]
) -> dict[str, str]:
    values = {
        **BASE_SETTINGS,
        "DATABASE__URL": postgres.url(DATABASE),
        "DATABASE__MIGRATIONS_DIR": str(MIGRATIONS_DIR),
        "CACHE__URL": redis.url,
        "SECURITY__KEYS_DIR": str(directory / "keys"),
        "DEV__STATE_DIR": str(directory / "state"),
        "JOBS__STORAGE_DIR": str(directory / "files"),
        **settings,
    }
    return {f"KEEL_{name}": value for name, value in values.items()}


@asynccontextmanager
async def private_stack(directory: Path, settings: Mapping[str, str] | None = None) -> AsyncIterator[PrivateStack]:
    """PostgreSQL (migrated), Redis and ``keel serve``, all private and ready; all stopped on leaving."""
    postgres = PrivatePostgres()
    redis = PrivateRedis(directory / "redis")
    api = PrivateApi(directory / "api", app_environment(postgres, redis, directory, settings or {}))
    try:
        postgres.initialise()
        postgres.start()
        url = await postgres.create_database(DATABASE)
        await MigrationService(database_url=url, migrations_dir=MIGRATIONS_DIR).upgrade()
        redis.start()
        api.start()
        api.wait_ready()
        yield PrivateStack(postgres=postgres, redis=redis, api=api)
    finally:
        api.close()
        redis.close()
        postgres.close()


# --- People of a private stack ---------------------------------------------------------------------------------------


async def sign_up(client: httpx.AsyncClient, slug: str) -> Caller:
    """A new tenant's owner, logged in."""
    email = f"owner@{slug}.example"
    response = await client.post(
        "/api/v1/tenants",
        json={"slug": slug, "name": slug, "owner": {"email": email, "username": "owner", "password": PASSWORD}},
    )
    assert response.status_code == 201, response.text
    return Caller(response.json()["owner"], slug, await log_in(client, slug, email))


async def add_user(client: httpx.AsyncClient, owner: Caller, username: str) -> dict[str, Any]:
    """A member of the owner's tenant (its user JSON)."""
    response = await client.post(
        "/api/v1/users",
        headers=owner.headers,
        json={"email": f"{username}@{owner.tenant_slug}.example", "username": username, "password": PASSWORD},
    )
    assert response.status_code == 201, response.text
    user: dict[str, Any] = response.json()
    return user
