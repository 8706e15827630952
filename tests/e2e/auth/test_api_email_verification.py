"""Email verification over HTTP: the caller asks for a verification email; its token marks the address verified,
once."""

from __future__ import annotations

import httpx
import pytest

from keel.domain.auth import EmailVerificationRequested, OneTimeTokenRequested
from support.api import SignUp

pytestmark = pytest.mark.e2e


async def test_the_emailed_token_verifies_the_callers_address_once(
    client: httpx.AsyncClient, sign_up: SignUp, announced: list[OneTimeTokenRequested]
) -> None:
    owner = await sign_up()
    requested = await client.post("/api/v1/auth/verify-email/request", headers=owner.headers)
    assert requested.status_code == 202
    [event] = announced
    assert isinstance(event, EmailVerificationRequested)
    assert (str(event.user_id), event.email) == (owner.id, owner.user["email"])
    verified = await client.post("/api/v1/auth/verify-email", json={"token": event.token})
    assert verified.status_code == 204
    me = (await client.get("/api/v1/users/me", headers=owner.headers)).json()
    assert me["email_verified"] is True
    assert me["version"] == owner.user["version"] + 1
    again = await client.post("/api/v1/auth/verify-email", json={"token": event.token})
    assert again.status_code == 400
    assert again.json()["code"] == "invalid_token"
    already = await client.post("/api/v1/auth/verify-email/request", headers=owner.headers)
    assert already.status_code == 409
    assert already.json()["code"] == "email_already_verified"


async def test_a_token_for_a_former_address_verifies_nothing(
    client: httpx.AsyncClient, sign_up: SignUp, announced: list[OneTimeTokenRequested]
) -> None:
    owner = await sign_up()
    await client.post("/api/v1/auth/verify-email/request", headers=owner.headers)
    token = announced[-1].token
    changed = await client.patch(
        f"/api/v1/users/{owner.id}",
        headers={**owner.headers, "Content-Type": "application/merge-patch+json"},
        json={"email": "new.address@elsewhere.example"},
    )
    assert changed.status_code == 200, changed.text
    response = await client.post("/api/v1/auth/verify-email", json={"token": token})
    assert response.status_code == 400
    assert (await client.get("/api/v1/users/me", headers=owner.headers)).json()["email_verified"] is False


async def test_a_password_reset_token_verifies_no_email(
    client: httpx.AsyncClient, sign_up: SignUp, announced: list[OneTimeTokenRequested]
) -> None:
    owner = await sign_up()
    await client.post("/api/v1/auth/password-reset", json={"tenant": owner.tenant_slug, "email": owner.user["email"]})
    response = await client.post("/api/v1/auth/verify-email", json={"token": announced[-1].token})
    assert response.status_code == 400


async def test_asking_for_verification_needs_a_caller(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/auth/verify-email/request")
    assert response.status_code == 401


@pytest.mark.parametrize("body", [{}, {"token": None}, {"token": "t" * 257}, {"token": "t", "email": "x"}])
async def test_malformed_verification_bodies_are_422(client: httpx.AsyncClient, body: dict[str, object]) -> None:
    response = await client.post("/api/v1/auth/verify-email", json=body)
    assert response.status_code == 422
