"""``POST /api/v1/auth/refresh`` over HTTP: rotation, reuse detection, one 401 for every refusal, and tokens that are
never accepted in each other's place."""

from __future__ import annotations

from typing import Any

import httpx
import jwt
import pytest

from support.api import AddUser, Caller, SignUp, bearer, log_in_tokens

pytestmark = pytest.mark.e2e

REFUSAL = {"code": "invalid_refresh_token", "detail": "The refresh token is not valid; log in again.", "status": 401}


async def refresh(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post("/api/v1/auth/refresh", json={"refresh_token": token})


def refusal(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return {key: response.json()[key] for key in ("code", "detail", "status")}


async def tokens_of(client: httpx.AsyncClient, caller: Caller) -> dict[str, Any]:
    return await log_in_tokens(client, caller.tenant_slug, caller.user["email"])


async def test_login_answers_a_refresh_token_and_refresh_answers_a_new_pair(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    owner = await sign_up()
    first = await tokens_of(client, owner)
    assert first["refresh_expires_in"] == 30 * 24 * 3600
    response = await refresh(client, first["refresh_token"])
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    second = response.json()
    assert second.keys() == {"access_token", "token_type", "expires_in", "refresh_token", "refresh_expires_in"}
    assert second["refresh_token"] != first["refresh_token"]
    me = await client.get("/api/v1/users/me", headers=bearer(second["access_token"]))
    assert me.status_code == 200
    assert me.json()["id"] == owner.id
    sid = {jwt.decode(t["access_token"], options={"verify_signature": False})["sid"] for t in (first, second)}
    assert len(sid) == 1, "the new access token belongs to the same session"
    third = await refresh(client, second["refresh_token"])
    assert third.status_code == 200


async def test_replaying_a_spent_refresh_token_ends_the_whole_session(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    owner = await sign_up()
    first = await tokens_of(client, owner)
    other_session = await tokens_of(client, owner)
    second = (await refresh(client, first["refresh_token"])).json()
    assert refusal(await refresh(client, first["refresh_token"])) == REFUSAL
    assert refusal(await refresh(client, second["refresh_token"])) == REFUSAL, "the newest token of the family too"
    assert (await refresh(client, other_session["refresh_token"])).status_code == 200, "other sessions go on"


@pytest.mark.parametrize("presented", ["not-a-token", "", "x" * 256])
async def test_unknown_refresh_tokens_get_the_same_401(client: httpx.AsyncClient, presented: str) -> None:
    assert refusal(await refresh(client, presented)) == REFUSAL


async def test_an_access_token_is_not_a_refresh_token(client: httpx.AsyncClient, sign_up: SignUp) -> None:
    owner = await sign_up()
    tokens = await tokens_of(client, owner)
    response = await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["access_token"][:256]})
    assert refusal(response) == REFUSAL


async def test_a_refresh_token_is_not_an_access_token(client: httpx.AsyncClient, sign_up: SignUp) -> None:
    owner = await sign_up()
    tokens = await tokens_of(client, owner)
    response = await client.get("/api/v1/users/me", headers=bearer(tokens["refresh_token"]))
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_required"
    assert response.headers["www-authenticate"] == "Bearer"


async def test_a_disabled_user_cannot_refresh(client: httpx.AsyncClient, sign_up: SignUp, add_user: AddUser) -> None:
    owner = await sign_up()
    member = await add_user(owner)
    tokens = await tokens_of(client, member)
    disabled = await client.patch(
        f"/api/v1/users/{member.id}",
        headers={**owner.headers, "Content-Type": "application/merge-patch+json"},
        json={"status": "disabled"},
    )
    assert disabled.status_code == 200, disabled.text
    assert refusal(await refresh(client, tokens["refresh_token"])) == REFUSAL


async def test_a_deleted_user_cannot_refresh(client: httpx.AsyncClient, sign_up: SignUp, add_user: AddUser) -> None:
    owner = await sign_up()
    member = await add_user(owner)
    tokens = await tokens_of(client, member)
    assert (await client.delete(f"/api/v1/users/{member.id}", headers=owner.headers)).status_code == 204
    assert refusal(await refresh(client, tokens["refresh_token"])) == REFUSAL


async def test_a_refresh_carries_the_roles_the_user_has_now(
    client: httpx.AsyncClient, sign_up: SignUp, add_user: AddUser
) -> None:
    owner = await sign_up()
    member = await add_user(owner)
    tokens = await tokens_of(client, member)
    promoted = await client.patch(
        f"/api/v1/users/{member.id}",
        headers={**owner.headers, "Content-Type": "application/merge-patch+json"},
        json={"roles": ["admin"]},
    )
    assert promoted.status_code == 200, promoted.text
    renewed = (await refresh(client, tokens["refresh_token"])).json()
    assert jwt.decode(renewed["access_token"], options={"verify_signature": False})["roles"] == ["admin"]


@pytest.mark.parametrize(
    "body",
    [{}, {"refresh_token": None}, {"refresh_token": "x" * 257}, {"refresh_token": "t", "extra": 1}],
    ids=["missing", "null", "too-long", "unknown-member"],
)
async def test_a_malformed_refresh_body_is_422(client: httpx.AsyncClient, body: dict[str, object]) -> None:
    response = await client.post("/api/v1/auth/refresh", json=body)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"
