"""Rotating the signing key under a running API: ``keel keys rotate`` (the real command, in its own process) adds a
key; the API picks it up at its next reload — new tokens carry the new ``kid``, old ones still work, the JWKS shows
both — and once the old key retires, its tokens fail and it leaves the JWKS."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime

import httpx
import jwt
import pytest
from dependency_injector import providers

from keel.container import Container
from keel.infrastructure.security import KeyRing, KeyRingDirectory, retire_margin
from keel.settings import Settings
from support.api import AddUser, SignUp, bearer, log_in_tokens
from support.polling import eventually

pytestmark = pytest.mark.e2e


class RingClock:
    """The time the API's key ring decides retirements with: real, until the test moves it on."""

    def __init__(self) -> None:
        self.ahead_to: datetime | None = None

    def __call__(self) -> datetime:
        return self.ahead_to or datetime.now(UTC)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Reload the ring every 50 ms, so the test sees the API follow a rotation without waiting long."""
    return settings.model_copy(
        update={"security": settings.security.model_copy(update={"key_ring_reload_seconds": 0.05})}
    )


@pytest.fixture
def ring_clock(container: Container, settings: Settings) -> RingClock:
    """The API's key ring, deciding retirements by a clock the test can move (requested before ``client``, so the
    app starts with it)."""
    clock = RingClock()
    directory = KeyRingDirectory(settings.security.keys_dir, retire_margin=retire_margin(settings.security))
    directory.ensure(clock())
    container.key_ring.override(providers.Singleton(KeyRing.from_directory, directory, clock=clock))
    return clock


async def keel_keys(settings: Settings, *arguments: str) -> tuple[int, str, str]:
    environment = {name: value for name, value in os.environ.items() if not name.startswith("KEEL_")} | {
        "KEEL_ENVIRONMENT": "test",
        "KEEL_SECURITY__KEYS_DIR": str(settings.security.keys_dir),
        "KEEL_SECURITY__KEY_RING_RELOAD_SECONDS": "0.05",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "keel", "keys", *arguments, env=environment,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    stdout, stderr = await process.communicate()
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


async def published_kids(client: httpx.AsyncClient) -> list[str]:
    response = await client.get("/.well-known/jwks.json")
    return [key["kid"] for key in response.json()["keys"]]


def kid_of(token: str) -> str:
    return str(jwt.get_unverified_header(token)["kid"])


async def test_the_api_follows_a_rotation_and_a_retirement_without_a_restart(
    ring_clock: RingClock, client: httpx.AsyncClient, sign_up: SignUp, add_user: AddUser, settings: Settings
) -> None:
    owner = await sign_up()
    await add_user(owner)
    old = await log_in_tokens(client, owner.tenant_slug, owner.user["email"])
    old_kid = kid_of(old["access_token"])
    assert await published_kids(client) == [old_kid]
    old_cursor = (await client.get("/api/v1/users?limit=1", headers=owner.headers)).json()["next_cursor"]
    assert old_cursor is not None

    exit_code, stdout, stderr = await keel_keys(settings, "rotate")
    assert (exit_code, stderr) == (0, "")
    [added] = [line for line in stdout.splitlines() if line.startswith("added signing key ")]
    new_kid = added.split()[3]
    assert f"{old_kid} stopped signing" in stdout

    async def both_published() -> bool:
        return await published_kids(client) == [new_kid, old_kid]

    await eventually(both_published)
    new = await log_in_tokens(client, owner.tenant_slug, owner.user["email"])
    assert kid_of(new["access_token"]) == new_kid
    for tokens in (old, new):
        assert (await client.get("/api/v1/users/me", headers=bearer(tokens["access_token"]))).status_code == 200
    next_page = f"/api/v1/users?limit=1&cursor={old_cursor}"
    assert (await client.get(next_page, headers=bearer(new["access_token"]))).status_code == 200, "cursors too"

    [demoted] = [line for line in stdout.splitlines() if line.startswith(old_kid)]
    retire_after = datetime.strptime(demoted.split("until ")[1][:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    ring_clock.ahead_to = retire_after  # the old key's last token has expired

    async def only_the_new_key_published() -> bool:
        return await published_kids(client) == [new_kid]

    await eventually(only_the_new_key_published)
    refused = await client.get("/api/v1/users/me", headers=bearer(old["access_token"]))
    assert refused.status_code == 401
    assert (await client.get("/api/v1/users/me", headers=bearer(new["access_token"]))).status_code == 200
    stale = await client.get(next_page, headers=bearer(new["access_token"]))
    assert (stale.status_code, stale.json()["code"]) == (400, "invalid_cursor"), "the retired key's cursors go too"
