"""Password reset over HTTP: 202 with the same (empty) answer whether or not the account exists; the emailed token
sets a new password once, and every session of the user ends."""

from __future__ import annotations

import httpx
import pytest

from keel.domain.auth import OneTimeTokenRequested, PasswordResetRequested
from support.api import PASSWORD, SignUp, log_in_tokens

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "an entirely new passphrase"


def answer(response: httpx.Response) -> tuple[int, bytes, dict[str, str]]:
    """What the client sees, less what differs per request (the request id and the date)."""
    headers = {k: v for k, v in response.headers.items() if k not in {"x-request-id", "date"}}
    return response.status_code, response.content, headers


async def test_asking_for_a_reset_answers_the_same_whether_or_not_the_account_exists(
    client: httpx.AsyncClient, sign_up: SignUp, announced: list[OneTimeTokenRequested]
) -> None:
    owner = await sign_up()
    requests = [
        {"tenant": owner.tenant_slug, "email": owner.user["email"]},
        {"tenant": owner.tenant_slug, "email": "nobody@nowhere.example"},
        {"tenant": "no-such-tenant", "email": owner.user["email"]},
        {"tenant": "Not A Slug!", "email": "not an email"},
    ]
    answers = [answer(await client.post("/api/v1/auth/password-reset", json=body)) for body in requests]
    assert answers == [(202, b"", answers[0][2])] * len(requests)
    [event] = announced
    assert isinstance(event, PasswordResetRequested)
    assert (str(event.user_id), event.email) == (owner.id, owner.user["email"])


async def test_the_emailed_token_sets_a_new_password_once_and_ends_every_session(
    client: httpx.AsyncClient, sign_up: SignUp, announced: list[OneTimeTokenRequested]
) -> None:
    owner = await sign_up()
    email = owner.user["email"]
    session = await log_in_tokens(client, owner.tenant_slug, email)
    await client.post("/api/v1/auth/password-reset", json={"tenant": owner.tenant_slug, "email": email})
    token = announced[-1].token
    response = await client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD}
    )
    assert response.status_code == 204
    assert (await log_in_tokens(client, owner.tenant_slug, email, NEW_PASSWORD))["access_token"]
    old = await client.post(
        "/api/v1/auth/login", json={"tenant": owner.tenant_slug, "email": email, "password": PASSWORD}
    )
    assert old.status_code == 401
    refreshed = await client.post("/api/v1/auth/refresh", json={"refresh_token": session["refresh_token"]})
    assert refreshed.status_code == 401
    again = await client.post("/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": PASSWORD})
    assert again.status_code == 400
    assert again.json()["code"] == "invalid_token"


async def test_an_unknown_token_is_a_400_and_a_weak_password_a_422_that_keeps_the_token(
    client: httpx.AsyncClient, sign_up: SignUp, announced: list[OneTimeTokenRequested]
) -> None:
    owner = await sign_up()
    unknown = await client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": "not-a-token", "new_password": NEW_PASSWORD}
    )
    assert unknown.status_code == 400
    assert unknown.json() | {"request_id": None} == {
        "type": "urn:keel:problem:invalid_token",
        "title": "Bad Request",
        "status": 400,
        "detail": "This link is not valid or has expired; ask for a new one.",
        "instance": "/api/v1/auth/password-reset/confirm",
        "code": "invalid_token",
        "request_id": None,
    }
    await client.post("/api/v1/auth/password-reset", json={"tenant": owner.tenant_slug, "email": owner.user["email"]})
    token = announced[-1].token
    weak = await client.post("/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": "short"})
    assert weak.status_code == 422
    assert weak.json()["code"] == "weak_password"
    good = await client.post("/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD})
    assert good.status_code == 204


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/auth/password-reset", {"tenant": "acme"}),
        ("/api/v1/auth/password-reset", {"tenant": "acme", "email": "a@b.example", "extra": True}),
        ("/api/v1/auth/password-reset/confirm", {"token": "t"}),
        ("/api/v1/auth/password-reset/confirm", {"token": "t" * 257, "new_password": NEW_PASSWORD}),
    ],
)
async def test_malformed_reset_bodies_are_422(client: httpx.AsyncClient, path: str, body: dict[str, object]) -> None:
    response = await client.post(path, json=body)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"
