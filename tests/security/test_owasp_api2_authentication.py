"""API2:2023 Broken Authentication — the known ways to forge or misuse a JWT, each refused over HTTP.

The verifier's unit tests (``tests/unit/security``) say why each token is refused; here the whole app must answer 401
with the generic problem — and a control token, signed the same way with nothing changed, must get through, so that
each refusal proves the check under test.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from keel.container import Container
from keel.infrastructure.security import KeyRing, SigningKeys
from keel.settings import Settings
from support.api import Caller, SignUp

pytestmark = pytest.mark.e2e

ME = "/api/v1/users/me"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64json(document: dict[str, Any]) -> str:
    return b64url(json.dumps(document, separators=(",", ":")).encode())


@pytest.fixture
async def owner(sign_up: SignUp) -> Caller:
    return await sign_up()


@pytest.fixture
def keys(container: Container) -> KeyRing:
    ring = container.key_ring()
    assert isinstance(ring, KeyRing)
    return ring


def claims_of(caller: Caller, **changes: Any) -> dict[str, Any]:
    """The caller's real claims (as log-in issued them), re-timed to now, with ``changes``; ``None`` removes one."""
    token = caller.headers["Authorization"].removeprefix("Bearer ")
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    now = int(time.time())
    claims.update(iat=now, nbf=now, exp=now + 600, jti=f"forged-{now}")
    for name, value in changes.items():
        if value is None:
            claims.pop(name, None)
        else:
            claims[name] = value
    return claims


def sign(keys: KeyRing, claims: dict[str, Any], **header: Any) -> str:
    return jwt.encode(claims, keys.signing.private_key, algorithm="ES256", headers={"kid": keys.signing.kid, **header})


async def answer(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.get(ME, headers={"Authorization": f"Bearer {token}"})


async def assert_refused(client: httpx.AsyncClient, token: str) -> None:
    response = await answer(client, token)
    assert response.status_code == 401, response.text
    assert response.json()["code"] == "authentication_required"
    assert response.json()["detail"] == "The access token is missing, invalid or expired."
    assert response.headers["www-authenticate"] == "Bearer"


async def test_the_control_token_is_accepted(client: httpx.AsyncClient, owner: Caller, keys: KeyRing) -> None:
    response = await answer(client, sign(keys, claims_of(owner)))
    assert response.status_code == 200
    assert response.json()["id"] == owner.id


async def test_alg_none_is_refused(client: httpx.AsyncClient, owner: Caller, keys: KeyRing) -> None:
    header = {"alg": "none", "typ": "JWT", "kid": keys.signing.kid}
    await assert_refused(client, f"{b64json(header)}.{b64json(claims_of(owner))}.")


async def test_hs256_signed_with_the_public_key_is_refused(
    client: httpx.AsyncClient, owner: Caller, keys: KeyRing
) -> None:
    public_pem = keys.signing.public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signing_input = f"{b64json({'alg': 'HS256', 'typ': 'JWT', 'kid': keys.signing.kid})}.{b64json(claims_of(owner))}"
    signature = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    await assert_refused(client, f"{signing_input}.{b64url(signature)}")


@pytest.mark.parametrize("claim", ["exp", "nbf", "aud", "iss", "iat", "sub", "tid", "typ"])
async def test_a_missing_claim_is_refused(client: httpx.AsyncClient, owner: Caller, keys: KeyRing, claim: str) -> None:
    await assert_refused(client, sign(keys, claims_of(owner, **{claim: None})))


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"aud": "another-api"}, id="wrong-aud"),
        pytest.param({"iss": "someone-else"}, id="wrong-iss"),
        pytest.param({"exp": "never"}, id="exp-not-a-number"),
        pytest.param({"nbf": int(time.time()) + 3600}, id="nbf-in-the-future"),
        pytest.param({"nbf": "soon"}, id="nbf-not-a-number"),
        pytest.param({"typ": "refresh"}, id="not-an-access-token"),
    ],
)
async def test_a_wrong_claim_is_refused(
    client: httpx.AsyncClient, owner: Caller, keys: KeyRing, changes: dict[str, Any]
) -> None:
    await assert_refused(client, sign(keys, claims_of(owner, **changes)))


async def test_an_unknown_kid_is_refused(client: httpx.AsyncClient, owner: Caller) -> None:
    stranger = SigningKeys.of(ec.generate_private_key(ec.SECP256R1()))
    await assert_refused(client, sign(stranger, claims_of(owner)))


async def test_a_known_kid_on_another_key_is_refused(client: httpx.AsyncClient, owner: Caller, keys: KeyRing) -> None:
    impostor = ec.generate_private_key(ec.SECP256R1())
    await assert_refused(
        client, jwt.encode(claims_of(owner), impostor, algorithm="ES256", headers={"kid": keys.signing.kid})
    )


async def test_a_tampered_payload_is_refused(client: httpx.AsyncClient, owner: Caller, keys: KeyRing) -> None:
    header, _, signature = sign(keys, claims_of(owner, roles=["member"])).split(".")
    promoted = b64json(claims_of(owner, roles=["owner", "admin"]))
    await assert_refused(client, f"{header}.{promoted}.{signature}")


async def test_a_token_of_another_tenant_cannot_be_pointed_at_this_one(
    client: httpx.AsyncClient, owner: Caller, keys: KeyRing, sign_up: SignUp
) -> None:
    other = await sign_up()
    header, _, signature = other.headers["Authorization"].removeprefix("Bearer ").split(".")
    moved = b64json(claims_of(other, tid=owner.user["tenant_id"]))
    await assert_refused(client, f"{header}.{moved}.{signature}")


async def test_expiry_within_the_leeway_is_accepted_and_beyond_it_refused(
    client: httpx.AsyncClient, owner: Caller, keys: KeyRing, settings: Settings
) -> None:
    leeway = settings.security.jwt_leeway_seconds
    assert leeway >= 4
    now = int(time.time())
    within = sign(keys, claims_of(owner, iat=now - 600, nbf=now - 600, exp=now - leeway // 2))
    beyond = sign(keys, claims_of(owner, iat=now - 600, nbf=now - 600, exp=now - leeway - 2))
    assert (await answer(client, within)).status_code == 200
    await assert_refused(client, beyond)


async def test_not_yet_valid_within_the_leeway_is_accepted_and_beyond_it_refused(
    client: httpx.AsyncClient, owner: Caller, keys: KeyRing, settings: Settings
) -> None:
    leeway = settings.security.jwt_leeway_seconds
    now = int(time.time())
    within = sign(keys, claims_of(owner, iat=now, nbf=now + leeway // 2))
    beyond = sign(keys, claims_of(owner, iat=now, nbf=now + leeway + 30))
    assert (await answer(client, within)).status_code == 200
    await assert_refused(client, beyond)


@pytest.mark.parametrize(
    "authorization",
    ["", "Bearer", "Bearer ", "Basic b3duZXI6cGFzcw==", "Bearer a.b.c", "Bearer " + "x" * 8000, "Token abc"],
)
async def test_missing_or_garbage_credentials_are_refused(
    client: httpx.AsyncClient, owner: Caller, authorization: str
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = await client.get(ME, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


async def test_a_signed_partner_header_is_no_bearer_token(client: httpx.AsyncClient, owner: Caller) -> None:
    response = await client.get(
        ME, headers={"Authorization": "KEEL-HMAC-SHA256 Credential=x, SignedHeaders=x-keel-date, Signature=00"}
    )
    assert response.status_code == 401
