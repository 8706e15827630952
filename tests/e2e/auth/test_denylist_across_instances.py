"""A logout on one API process reaches the others: two app instances on one Redis, the second denying the token once
the pub/sub message arrives; an instance started later denies it from its first request. With the cache off, the
denylist is the process's own."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import httpx
import pytest

from keel.container import build_container
from keel.presentation.api.app import create_app
from keel.settings import Settings
from support.api import SignUp, bearer, log_in_tokens
from support.polling import eventually

pytestmark = pytest.mark.e2e

type Instance = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def instance(settings: Settings) -> Instance:
    """``async with instance() as other:``: another API process on the same PostgreSQL, Redis and keys."""

    @asynccontextmanager
    async def start(chosen: Settings = settings) -> AsyncIterator[httpx.AsyncClient]:
        app = create_app(chosen, container=build_container(chosen))
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://other.test") as http,
        ):
            yield http

    return start


async def refused_eventually(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    async def refused() -> bool:
        return (await client.get("/api/v1/users/me", headers=headers)).status_code == 401

    await eventually(refused)


async def test_a_logout_on_one_instance_is_refused_by_another(
    client: httpx.AsyncClient, instance: Instance, sign_up: SignUp
) -> None:
    owner = await sign_up()
    tokens = await log_in_tokens(client, owner.tenant_slug, owner.user["email"])
    headers = bearer(tokens["access_token"])
    async with instance() as other:
        assert (await other.get("/api/v1/users/me", headers=headers)).status_code == 200  # remembered there too
        assert (await client.post("/api/v1/auth/logout", headers=headers)).status_code == 204
        assert (await client.get("/api/v1/users/me", headers=headers)).status_code == 401, "at once where it happened"
        await refused_eventually(other, headers)


async def test_an_instance_started_after_a_logout_refuses_the_token_from_its_first_request(
    client: httpx.AsyncClient, instance: Instance, sign_up: SignUp
) -> None:
    owner = await sign_up()
    tokens = await log_in_tokens(client, owner.tenant_slug, owner.user["email"])
    headers = bearer(tokens["access_token"])
    assert (await client.post("/api/v1/auth/logout", headers=headers)).status_code == 204
    async with instance() as later:
        assert (await later.get("/api/v1/users/me", headers=headers)).status_code == 401


async def test_with_the_cache_off_the_denylist_is_the_processs_own(
    settings: Settings, instance: Instance, sign_up: SignUp, client: httpx.AsyncClient
) -> None:
    off = settings.model_copy(update={"cache": settings.cache.model_copy(update={"mode": "off"})})
    owner = await sign_up()
    async with instance(off) as first, instance(off) as second:
        tokens = await log_in_tokens(first, owner.tenant_slug, owner.user["email"])
        headers = bearer(tokens["access_token"])
        assert (await first.post("/api/v1/auth/logout", headers=headers)).status_code == 204
        assert (await first.get("/api/v1/users/me", headers=headers)).status_code == 401
        assert (await second.get("/api/v1/users/me", headers=headers)).status_code == 200, "documented: no sharing"
        refreshed = await second.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
        assert refreshed.status_code == 401, "the session's refresh tokens are revoked in PostgreSQL for everyone"
