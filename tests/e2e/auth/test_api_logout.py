"""``POST /api/v1/auth/logout`` over HTTP: the access token presented stops working at once, the session's refresh
tokens with it; another session of the user goes on."""

from __future__ import annotations

import httpx
import pytest

from support.api import SignUp, bearer, log_in_tokens

pytestmark = pytest.mark.e2e


async def test_logout_ends_the_access_token_and_the_session(client: httpx.AsyncClient, sign_up: SignUp) -> None:
    owner = await sign_up()
    session = await log_in_tokens(client, owner.tenant_slug, owner.user["email"])
    other = await log_in_tokens(client, owner.tenant_slug, owner.user["email"])
    headers = bearer(session["access_token"])
    assert (await client.get("/api/v1/users/me", headers=headers)).status_code == 200  # remembered as verified now
    response = await client.post("/api/v1/auth/logout", headers=headers)
    assert response.status_code == 204
    assert response.content == b""
    after = await client.get("/api/v1/users/me", headers=headers)
    assert after.status_code == 401
    assert after.json()["code"] == "authentication_required"
    assert (await client.post("/api/v1/auth/logout", headers=headers)).status_code == 401
    refreshed = await client.post("/api/v1/auth/refresh", json={"refresh_token": session["refresh_token"]})
    assert refreshed.status_code == 401
    assert (await client.get("/api/v1/users/me", headers=bearer(other["access_token"]))).status_code == 200
    assert (
        await client.post("/api/v1/auth/refresh", json={"refresh_token": other["refresh_token"]})
    ).status_code == 200


async def test_logout_with_a_refresh_token_of_another_session_ends_that_one_too(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    owner = await sign_up()
    current = await log_in_tokens(client, owner.tenant_slug, owner.user["email"])
    forgotten = await log_in_tokens(client, owner.tenant_slug, owner.user["email"])
    response = await client.post(
        "/api/v1/auth/logout",
        headers=bearer(current["access_token"]),
        json={"refresh_token": forgotten["refresh_token"]},
    )
    assert response.status_code == 204
    for tokens in (current, forgotten):
        refreshed = await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
        assert refreshed.status_code == 401


async def test_another_users_refresh_token_survives_a_logout(client: httpx.AsyncClient, sign_up: SignUp) -> None:
    ann, bob = await sign_up(), await sign_up()
    ann_tokens = await log_in_tokens(client, ann.tenant_slug, ann.user["email"])
    bob_tokens = await log_in_tokens(client, bob.tenant_slug, bob.user["email"])
    await client.post(
        "/api/v1/auth/logout",
        headers=bearer(ann_tokens["access_token"]),
        json={"refresh_token": bob_tokens["refresh_token"]},
    )
    refreshed = await client.post("/api/v1/auth/refresh", json={"refresh_token": bob_tokens["refresh_token"]})
    assert refreshed.status_code == 200


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-jwt"])
async def test_logout_needs_a_valid_access_token(client: httpx.AsyncClient, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = await client.post("/api/v1/auth/logout", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


async def test_a_refresh_token_cannot_log_out(client: httpx.AsyncClient, sign_up: SignUp) -> None:
    owner = await sign_up()
    tokens = await log_in_tokens(client, owner.tenant_slug, owner.user["email"])
    response = await client.post("/api/v1/auth/logout", headers=bearer(tokens["refresh_token"]))
    assert response.status_code == 401
    assert (
        await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    ).status_code == 200


async def test_a_malformed_logout_body_is_422(client: httpx.AsyncClient, sign_up: SignUp) -> None:
    owner = await sign_up()
    response = await client.post("/api/v1/auth/logout", headers=owner.headers, json={"refresh": "typo"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/refresh"
