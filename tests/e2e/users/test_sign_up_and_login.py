"""Sign-up (``POST /api/v1/tenants``) and log-in, over HTTP against real PostgreSQL and Redis."""

from __future__ import annotations

import httpx
import jwt
import pytest

from support.api import PASSWORD, SignUp

pytestmark = pytest.mark.e2e


async def test_sign_up_creates_the_tenant_and_its_owner(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/tenants",
        json={
            "slug": "acme",
            "name": "Acme",
            "owner": {"email": " Ada@Example.COM ", "username": "ada", "full_name": "Ada", "password": PASSWORD},
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert body["tenant"]["slug"] == "acme"
    assert body["tenant"]["status"] == "active"
    owner = body["owner"]
    assert owner["email"] == "ada@example.com"
    assert owner["roles"] == ["owner"]
    assert owner["tenant_id"] == body["tenant"]["id"]
    assert owner["version"] == 1
    assert owner["email_verified"] is False
    assert owner["preferences"] == {"locale": "en", "timezone": "UTC"}
    assert "password" not in response.text
    assert "hash" not in response.text
    assert "argon2" not in response.text


async def test_a_taken_slug_is_a_409_naming_the_field(client: httpx.AsyncClient, sign_up: SignUp) -> None:
    await sign_up("taken")
    response = await client.post(
        "/api/v1/tenants",
        json={"slug": "taken", "name": "X", "owner": {"email": "x@x.example", "username": "xxx", "password": PASSWORD}},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "tenant_slug_taken"
    assert response.json()["field"] == "slug"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"owner": {"email": "a@b.example", "username": "abc", "password": "short"}}, "weak_password"),
        ({"slug": "-bad-"}, "invalid_tenant_slug"),
        ({"owner": {"email": "not-an-email", "username": "abc", "password": PASSWORD}}, "invalid_email"),
        ({"owner": {"email": "a@b.example", "username": "A B", "password": PASSWORD}}, "invalid_username"),
    ],
)
async def test_invalid_sign_ups_are_422(client: httpx.AsyncClient, change: dict[str, object], code: str) -> None:
    body = {"slug": "fine", "name": "Fine", "owner": {"email": "a@b.example", "username": "abc", "password": PASSWORD}}
    response = await client.post("/api/v1/tenants", json={**body, **change})
    assert response.status_code == 422
    assert response.json()["code"] == code


async def test_login_returns_a_bearer_token_for_the_user(client: httpx.AsyncClient, sign_up: SignUp) -> None:
    owner = await sign_up("login-ok")
    response = await client.post(
        "/api/v1/auth/login", json={"tenant": "login-ok", "email": owner.user["email"].upper(), "password": PASSWORD}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 900
    assert response.headers["cache-control"] == "no-store"
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["sub"] == owner.id
    assert claims["tid"] == owner.user["tenant_id"]
    assert claims["roles"] == ["owner"]
    assert jwt.get_unverified_header(body["access_token"])["alg"] == "ES256"


@pytest.mark.parametrize("wrong", ["tenant", "email", "password"])
async def test_every_login_failure_looks_the_same(client: httpx.AsyncClient, sign_up: SignUp, wrong: str) -> None:
    owner = await sign_up("login-fail")
    attempt = {"tenant": "login-fail", "email": owner.user["email"], "password": PASSWORD}
    attempt[wrong] = {"tenant": "no-such-tenant", "email": "nobody@x.example", "password": "wrong password!"}[wrong]
    response = await client.post("/api/v1/auth/login", json=attempt)
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "invalid_credentials"
    assert body["detail"] == "The tenant, email or password is not correct."
    assert response.headers["www-authenticate"] == "Bearer"


async def test_the_jwks_publishes_the_verifying_key(client: httpx.AsyncClient, sign_up: SignUp) -> None:
    owner = await sign_up("jwks")
    token = owner.headers["Authorization"].removeprefix("Bearer ")
    keys = (await client.get("/.well-known/jwks.json")).json()["keys"]
    kid = jwt.get_unverified_header(token)["kid"]
    [key] = [key for key in keys if key["kid"] == kid]
    assert key["kty"] == "EC"
    assert key["crv"] == "P-256"
    public_key = jwt.PyJWK(key).key
    claims = jwt.decode(token, public_key, algorithms=["ES256"], audience="keel-api", issuer="keel")
    assert claims["sub"] == owner.id


@pytest.mark.parametrize(
    "authorization", [None, "Bearer", "Bearer not-a-jwt", "Basic dXNlcjpwYXNz", "Bearer eyJhbGciOiJub25lIn0.e30."]
)
async def test_protected_routes_need_a_valid_bearer_token(client: httpx.AsyncClient, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = await client.get("/api/v1/users/me", headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"
