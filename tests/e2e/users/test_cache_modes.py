"""The users repository behind the cache-mode Selector: the same answers with Redis on or off, fresh after writes,
and still served when Redis is gone."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from redis.asyncio import Redis

from keel.container import Container, build_container
from keel.presentation.api.app import create_app
from keel.settings import Settings
from support.api import PASSWORD, AddUser, SignUp, log_in

pytestmark = pytest.mark.e2e


async def _sign_up_and_log_in(client: httpx.AsyncClient, slug: str) -> tuple[httpx.Response, dict[str, str]]:
    """Sign ``slug`` up; the sign-up response and the owner's authorization headers."""
    owner = {"email": f"owner@{slug}.example", "username": "owner", "password": PASSWORD}
    created = await client.post("/api/v1/tenants", json={"slug": slug, "name": slug, "owner": owner})
    assert created.status_code == 201
    return created, await log_in(client, slug, owner["email"])


async def _user_keys(redis: Redis) -> list[bytes]:
    return [key async for key in redis.scan_iter(match="*users*")]


async def test_cached_reads_are_fresh_after_every_write(
    client: httpx.AsyncClient, redis_client: Redis, sign_up: SignUp, add_user: AddUser, container: Container
) -> None:
    owner = await sign_up()
    member = await add_user(owner)
    url = f"/api/v1/users/{member.id}"
    first = (await client.get(url, headers=owner.headers)).json()
    assert len(await _user_keys(redis_client)) == 1  # the read filled the cache
    again = (await client.get(url, headers=owner.headers)).json()
    assert again == first
    stats = (await container.user_cache_store()).stats
    assert stats.hits >= 1
    patched = await client.patch(url, headers=owner.headers, json={"full_name": "After"})
    assert patched.status_code == 200
    after = (await client.get(url, headers=owner.headers)).json()
    assert after["full_name"] == "After"
    assert after["version"] == 2
    await client.delete(url, headers=owner.headers)
    assert (await client.get(url, headers=owner.headers)).status_code == 404


@pytest.fixture
async def uncached_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    off = settings.model_copy(update={"cache": settings.cache.model_copy(update={"mode": "off"})})
    app: FastAPI = create_app(off, container=build_container(off))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://keel.test") as http,
    ):
        yield http


async def test_cache_off_gives_the_same_answers_and_touches_no_redis(
    uncached_client: httpx.AsyncClient, redis_client: Redis
) -> None:
    created, headers = await _sign_up_and_log_in(uncached_client, "plain")
    owner_id = created.json()["owner"]["id"]
    for _ in range(2):
        response = await uncached_client.get(f"/api/v1/users/{owner_id}", headers=headers)
        assert response.json() == created.json()["owner"]
    assert await _user_keys(redis_client) == []


async def test_a_dead_redis_never_fails_a_read(settings: Settings) -> None:
    dead = settings.cache.model_copy(update={"url": "redis://127.0.0.1:1/0", "socket_timeout_seconds": 0.2})
    # Sign-up and log-in are refused while nothing counts their attempts (tests/security); this test is about reads.
    counting_optional = settings.rate_limit.model_copy(update={"fail_closed": []})
    broken = settings.model_copy(update={"cache": dead, "rate_limit": counting_optional})
    container = build_container(broken)
    app = create_app(broken, container=container)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://keel.test") as client,
    ):
        created, headers = await _sign_up_and_log_in(client, "dead-redis")
        owner_id = created.json()["owner"]["id"]
        statuses = [(await client.get(f"/api/v1/users/{owner_id}", headers=headers)).status_code for _ in range(10)]
        assert statuses == [200] * 10
        stats = (await container.user_cache_store()).stats
        assert stats.errors >= 1
        assert stats.breaker.state.value == "open"
