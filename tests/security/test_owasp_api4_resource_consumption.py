"""API4:2023 Unrestricted Resource Consumption — bodies are capped (413), every list and batch has a ceiling, and
quotas hold (429), exactly, under concurrency, and sensibly when Redis is gone."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import AsyncIterator

import httpx
import pytest

from keel.domain.api_clients import MAX_ACTIVE_CLIENTS
from keel.infrastructure.rate_limits import RedisRateLimiter
from keel.settings import Settings
from support.api import PASSWORD, Caller, SignUp
from support.app import serving

pytestmark = pytest.mark.e2e

SMALL_BODY_LIMIT = 2048


def with_quotas(settings: Settings, **quotas: str) -> Settings:
    return settings.model_copy(update={"rate_limit": settings.rate_limit.model_copy(update=quotas)})


# --- 413 -------------------------------------------------------------------------------------------------------------


@pytest.fixture
async def small_bodies(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    api = settings.api.model_copy(update={"max_body_bytes": SMALL_BODY_LIMIT})
    async with serving(settings.model_copy(update={"api": api})) as (client, _):
        yield client


def _tenant(slug: str, padding: int = 0) -> dict[str, object]:
    owner = {"email": f"o@{slug}.example", "username": "owner", "password": PASSWORD, "full_name": "x" * padding}
    return {"slug": slug, "name": slug, "owner": owner}


async def test_a_declared_length_over_the_limit_is_413_before_anything_runs(
    small_bodies: httpx.AsyncClient,
) -> None:
    response = await small_bodies.post("/api/v1/tenants", json=_tenant("big", padding=SMALL_BODY_LIMIT))
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "content_too_large"
    assert response.headers["x-request-id"]
    assert (await small_bodies.post("/api/v1/tenants", json=_tenant("small"))).status_code == 201


async def test_a_chunked_body_is_counted_as_it_streams(small_bodies: httpx.AsyncClient) -> None:
    chunks_sent = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal chunks_sent
        yield b'{"slug": "streamed", "name": "'
        for _ in range(100):
            chunks_sent += 1
            yield b"x" * 512

    response = await small_bodies.post(
        "/api/v1/tenants", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["code"] == "content_too_large"
    assert chunks_sent < 100  # reading stopped at the limit


async def test_an_unauthenticated_request_is_capped_too(small_bodies: httpx.AsyncClient) -> None:
    response = await small_bodies.post("/api/v1/users", content=b"{" + b" " * 4096 + b"}")
    assert response.status_code == 413


# --- ceilings --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/api/v1/users?limit=101", "validation_failed"),
        ("/api/v1/users?limit=0", "validation_failed"),
        ("/api/v1/users?q=" + "a" * 101, "validation_failed"),
        ("/api/v1/users?cursor=" + "a" * 513, "validation_failed"),
    ],
)
async def test_list_parameters_have_ceilings(client: httpx.AsyncClient, sign_up: SignUp, path: str, code: str) -> None:
    owner = await sign_up()
    response = await client.get(path, headers=owner.headers)
    assert response.status_code == 422
    assert response.json()["code"] == code


async def test_a_batch_over_the_maximum_is_refused_whole(
    client: httpx.AsyncClient, sign_up: SignUp, settings: Settings
) -> None:
    owner = await sign_up()
    size = settings.api.users_batch_max + 1
    users = [{"email": f"u{i}@x.example", "username": f"user{i:04d}", "password": PASSWORD} for i in range(size)]
    response = await client.post("/api/v1/users/batch", headers=owner.headers, json={"users": users})
    assert response.status_code == 422
    assert response.json()["code"] == "batch_too_large"
    listed = await client.get("/api/v1/users?limit=100", headers=owner.headers)
    assert len(listed.json()["items"]) == 1


async def test_a_tenant_holds_a_bounded_number_of_api_clients(client: httpx.AsyncClient, sign_up: SignUp) -> None:
    owner = await sign_up()
    for number in range(MAX_ACTIVE_CLIENTS):
        created = await client.post("/api/v1/api-clients", headers=owner.headers, json={"name": f"c{number}"})
        assert created.status_code == 201
    refused = await client.post("/api/v1/api-clients", headers=owner.headers, json={"name": "one too many"})
    assert refused.status_code == 409
    assert refused.json()["code"] == "too_many_api_clients"
    victim = (await client.get("/api/v1/api-clients", headers=owner.headers)).json()["items"][0]["id"]
    assert (await client.delete(f"/api/v1/api-clients/{victim}", headers=owner.headers)).status_code == 204
    again = await client.post("/api/v1/api-clients", headers=owner.headers, json={"name": "replacement"})
    assert again.status_code == 201


# --- 429 -------------------------------------------------------------------------------------------------------------


async def test_2n_concurrent_requests_against_a_limit_of_n_let_exactly_n_through(
    settings: Settings, sign_up: SignUp
) -> None:
    owner = await sign_up()  # through the default app, whose quotas do not bind
    limit = 10
    async with serving(with_quotas(settings, read=f"{limit}/1h")) as (client, _):
        responses = await asyncio.gather(
            *(client.get("/api/v1/users/me", headers=owner.headers) for _ in range(2 * limit))
        )
    statuses = Counter(response.status_code for response in responses)
    assert statuses == {200: limit, 429: limit}


async def test_a_refusal_is_a_429_problem_with_retry_after_and_ratelimit_headers(
    settings: Settings, sign_up: SignUp
) -> None:
    owner = await sign_up()
    async with serving(with_quotas(settings, read="2/1h")) as (client, _):
        first = await client.get("/api/v1/users/me", headers=owner.headers)
        await client.get("/api/v1/users/me", headers=owner.headers)
        refused = await client.get("/api/v1/users/me", headers=owner.headers)
    assert first.status_code == 200
    assert first.headers["ratelimit-policy"] == '"read";q=2;w=3600'
    assert re.fullmatch(r'"read";r=1;t=\d+', first.headers["ratelimit"])
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == "rate_limited"
    assert 1700 <= int(refused.headers["retry-after"]) <= 1800  # the next request fits in half the period
    assert re.fullmatch(r'"read";r=0;t=\d+', refused.headers["ratelimit"])


async def test_quotas_are_per_user(settings: Settings, sign_up: SignUp) -> None:
    first, second = await sign_up(), await sign_up()
    async with serving(with_quotas(settings, read="1/1h")) as (client, _):
        assert (await client.get("/api/v1/users/me", headers=first.headers)).status_code == 200
        assert (await client.get("/api/v1/users/me", headers=first.headers)).status_code == 429
        assert (await client.get("/api/v1/users/me", headers=second.headers)).status_code == 200


async def test_a_class_set_to_zero_is_not_counted(settings: Settings, sign_up: SignUp) -> None:
    owner = await sign_up()
    async with serving(with_quotas(settings, read="0")) as (client, _):
        responses = [await client.get("/api/v1/users/me", headers=owner.headers) for _ in range(3)]
    assert [response.status_code for response in responses] == [200, 200, 200]
    assert all("ratelimit" not in response.headers for response in responses)


async def test_without_redis_reads_pass_and_log_in_is_refused(settings: Settings, sign_up: SignUp) -> None:
    owner: Caller = await sign_up()
    dead = settings.cache.model_copy(update={"url": "redis://127.0.0.1:1/0", "socket_timeout_seconds": 0.2})
    async with serving(settings.model_copy(update={"cache": dead})) as (client, container):
        read = await client.get("/api/v1/users/me", headers=owner.headers)
        login = await client.post(
            "/api/v1/auth/login",
            json={"tenant": owner.tenant_slug, "email": owner.user["email"], "password": PASSWORD},
        )
        limiter = await container.rate_limiter()
    assert read.status_code == 200
    assert "ratelimit" not in read.headers  # not counted: nothing to report
    assert login.status_code == 503
    assert login.json()["code"] == "dependency_unavailable"
    assert login.headers["retry-after"]
    assert isinstance(limiter, RedisRateLimiter)
    assert limiter.stats.failed_open >= 1
    assert limiter.stats.failed_closed >= 1
    assert limiter.stats.errors == limiter.stats.failed_open + limiter.stats.failed_closed
