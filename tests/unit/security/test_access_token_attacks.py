"""The known ways to forge or misuse a JWT, each refused — and refused for the right reason.

Every forged token below is a valid token with one thing changed, so a refusal proves the check under test works.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any
from uuid import uuid4

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm

from keel.infrastructure.security import InvalidAccessToken, JwtAccessTokenVerifier, SigningKeys
from keel.infrastructure.security.access_tokens import REQUIRED_CLAIMS
from keel.settings import SecuritySettings


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64json(document: dict[str, Any]) -> str:
    return b64url(json.dumps(document, separators=(",", ":")).encode())


def valid_claims(security: SecuritySettings, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": security.jwt_issuer,
        "aud": security.jwt_audience,
        "sub": str(uuid4()),
        "tid": str(uuid4()),
        "roles": ["member"],
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "jti": uuid4().hex,
        "sid": str(uuid4()),
        "typ": "access",
    }
    claims.update(changes)
    return claims


def sign(keys: SigningKeys, claims: dict[str, Any], **header: Any) -> str:
    return jwt.encode(claims, keys.signing.private_key, algorithm="ES256", headers={"kid": keys.signing.kid, **header})


def refusal(verifier: JwtAccessTokenVerifier, token: str) -> str:
    with pytest.raises(InvalidAccessToken) as caught:
        verifier.verify(token)
    return caught.value.reason


def test_the_untampered_control_token_is_accepted(
    verifier: JwtAccessTokenVerifier, keys: SigningKeys, security: SecuritySettings
) -> None:
    claims = valid_claims(security)
    assert str(verifier.verify(sign(keys, claims)).user_id) == claims["sub"]


def test_alg_none_is_refused(verifier: JwtAccessTokenVerifier, keys: SigningKeys, security: SecuritySettings) -> None:
    header = {"alg": "none", "typ": "JWT", "kid": keys.signing.kid}
    token = f"{b64json(header)}.{b64json(valid_claims(security))}."
    assert refusal(verifier, token) == "algorithm_not_allowed"


def test_hs256_signed_with_the_public_key_as_secret_is_refused(
    verifier: JwtAccessTokenVerifier, keys: SigningKeys, security: SecuritySettings
) -> None:
    public_pem = keys.signing.public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signing_input = (
        f"{b64json({'alg': 'HS256', 'typ': 'JWT', 'kid': keys.signing.kid})}.{b64json(valid_claims(security))}"
    )
    signature = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    assert refusal(verifier, f"{signing_input}.{b64url(signature)}") == "algorithm_not_allowed"


def test_another_asymmetric_algorithm_is_refused(
    verifier: JwtAccessTokenVerifier, keys: SigningKeys, security: SecuritySettings
) -> None:
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(valid_claims(security), rsa_key, algorithm="RS256", headers={"kid": keys.signing.kid})
    assert refusal(verifier, token) == "algorithm_not_allowed"


@pytest.mark.parametrize("claim", REQUIRED_CLAIMS)
def test_a_token_missing_a_required_claim_is_refused(
    verifier: JwtAccessTokenVerifier, keys: SigningKeys, security: SecuritySettings, claim: str
) -> None:
    claims = valid_claims(security)
    del claims[claim]
    assert refusal(verifier, sign(keys, claims)) == f"missing_claim:{claim}"


@pytest.mark.parametrize("claim", ["sub", "tid", "roles", "typ", "exp"])
def test_a_null_claim_counts_as_missing(
    verifier: JwtAccessTokenVerifier, keys: SigningKeys, security: SecuritySettings, claim: str
) -> None:
    assert refusal(verifier, sign(keys, valid_claims(security, **{claim: None}))) == f"missing_claim:{claim}"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        pytest.param({"exp": int(time.time()) - 60}, "expired", id="expired-beyond-leeway"),
        pytest.param({"exp": "tomorrow"}, "malformed", id="exp-not-a-number"),
        pytest.param({"nbf": int(time.time()) + 600}, "not_yet_valid", id="nbf-beyond-leeway"),
        pytest.param({"nbf": "now"}, "malformed", id="nbf-not-a-number"),
        pytest.param({"iat": int(time.time()) + 600}, "not_yet_valid", id="iat-in-the-future"),
        pytest.param({"aud": "another-api"}, "wrong_audience", id="wrong-aud"),
        pytest.param({"aud": ["another-api"]}, "wrong_audience", id="wrong-aud-list"),
        pytest.param({"iss": "someone-else"}, "wrong_issuer", id="wrong-iss"),
        pytest.param({"typ": "refresh"}, "wrong_token_type", id="refresh-token"),
        pytest.param({"typ": "ACCESS"}, "wrong_token_type", id="typ-case"),
        pytest.param({"sub": "not-a-uuid"}, "malformed_claims", id="sub-not-a-uuid"),
        pytest.param({"sub": 42}, "malformed", id="sub-not-a-string"),
        pytest.param({"tid": "not-a-uuid"}, "malformed_claims", id="tid-not-a-uuid"),
        pytest.param({"tid": 42}, "malformed_claims", id="tid-not-a-string"),
        pytest.param({"roles": ["superuser"]}, "malformed_claims", id="unknown-role"),
        pytest.param({"roles": []}, "malformed_claims", id="no-roles"),
        pytest.param({"roles": "owner"}, "malformed_claims", id="roles-not-a-list"),
        pytest.param({"roles": [1]}, "malformed_claims", id="role-not-a-string"),
    ],
)
def test_a_token_with_a_wrong_claim_is_refused(
    verifier: JwtAccessTokenVerifier,
    keys: SigningKeys,
    security: SecuritySettings,
    changes: dict[str, Any],
    reason: str,
) -> None:
    assert refusal(verifier, sign(keys, valid_claims(security, **changes))) == reason


def test_a_token_within_the_leeway_of_nbf_is_accepted(
    verifier: JwtAccessTokenVerifier, keys: SigningKeys, security: SecuritySettings
) -> None:
    soon = int(time.time()) + security.jwt_leeway_seconds // 2
    verifier.verify(sign(keys, valid_claims(security, nbf=soon, iat=soon)))


def test_an_unknown_kid_is_refused(verifier: JwtAccessTokenVerifier, security: SecuritySettings) -> None:
    stranger = SigningKeys.of(ec.generate_private_key(ec.SECP256R1()))
    assert refusal(verifier, sign(stranger, valid_claims(security))) == "unknown_kid"


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        pytest.param({"alg": "ES256"}, "unknown_kid", id="absent"),
        pytest.param({"alg": "ES256", "kid": 7}, "malformed", id="number"),
        pytest.param({"alg": "ES256", "kid": ["kid"]}, "malformed", id="list"),
    ],
)
def test_a_missing_or_odd_kid_is_refused(
    verifier: JwtAccessTokenVerifier,
    keys: SigningKeys,
    security: SecuritySettings,
    header: dict[str, Any],
    reason: str,
) -> None:
    signing_input = f"{b64json(header)}.{b64json(valid_claims(security))}"
    signature = ECAlgorithm(ECAlgorithm.SHA256).sign(signing_input.encode(), keys.signing.private_key)
    assert refusal(verifier, f"{signing_input}.{b64url(signature)}") == reason


def test_another_key_claiming_a_known_kid_is_refused(
    verifier: JwtAccessTokenVerifier, keys: SigningKeys, security: SecuritySettings
) -> None:
    impostor = ec.generate_private_key(ec.SECP256R1())
    token = jwt.encode(valid_claims(security), impostor, algorithm="ES256", headers={"kid": keys.signing.kid})
    assert refusal(verifier, token) == "bad_signature"


def test_a_tampered_payload_is_refused(
    verifier: JwtAccessTokenVerifier, keys: SigningKeys, security: SecuritySettings
) -> None:
    header, _, signature = sign(keys, valid_claims(security)).split(".")
    promoted = b64json(valid_claims(security, roles=["owner"]))
    assert refusal(verifier, f"{header}.{promoted}.{signature}") == "bad_signature"


def test_a_tampered_signature_is_refused(
    verifier: JwtAccessTokenVerifier, keys: SigningKeys, security: SecuritySettings
) -> None:
    header, payload, signature = sign(keys, valid_claims(security)).split(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
    raw[10] ^= 0x01
    assert refusal(verifier, f"{header}.{payload}.{b64url(bytes(raw))}") == "bad_signature"


@pytest.mark.parametrize(
    "token",
    ["", "garbage", "a.b.c", "e30.e30.", "..", "x" * 5000],
    ids=["empty", "word", "abc", "empty-objects", "dots", "long"],
)
def test_garbage_is_refused(verifier: JwtAccessTokenVerifier, token: str) -> None:
    assert refusal(verifier, token) in {"malformed", "unknown_kid"}
