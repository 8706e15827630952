"""The published key set: enough for anyone to verify our access tokens, and nothing private."""

from __future__ import annotations

import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from security_support import SESSION

from keel.domain.users import User
from keel.infrastructure.security import JwtAccessTokenIssuer, PublicKeySet, SigningKeys
from keel.settings import SecuritySettings


def test_the_jwks_lists_each_verifying_key_with_exactly_the_public_members() -> None:
    retired = ec.generate_private_key(ec.SECP256R1()).public_key()
    keys = SigningKeys.of(ec.generate_private_key(ec.SECP256R1()), retired=[retired])
    document = PublicKeySet(keys).jwks()
    assert set(document) == {"keys"}
    published = document["keys"]
    assert isinstance(published, list)
    assert [key["kid"] for key in published] == list(keys.verifying)
    for key in published:
        assert set(key) == {"kty", "crv", "x", "y", "kid", "use", "alg"}  # no "d": nothing private
        assert (key["kty"], key["crv"], key["use"], key["alg"]) == ("EC", "P-256", "sig", "ES256")


async def test_a_third_party_verifies_our_tokens_with_the_published_key(
    issuer: JwtAccessTokenIssuer, keys: SigningKeys, user: User, security: SecuritySettings
) -> None:
    token = (await issuer.issue(user, session_id=SESSION)).access_token
    key_set = jwt.PyJWKSet.from_dict(PublicKeySet(keys).jwks())
    signing_key = key_set[jwt.get_unverified_header(token)["kid"]]
    claims = jwt.decode(token, signing_key, audience=security.jwt_audience, issuer=security.jwt_issuer)
    assert claims["sub"] == str(user.id)


def test_a_caller_cannot_alter_the_document_others_get(keys: SigningKeys) -> None:
    published = PublicKeySet(keys)
    before = published.jwks()
    altered = published.jwks()["keys"]
    assert isinstance(altered, list)
    altered[0]["x"] = "tampered"
    altered.append({"kty": "EC"})
    assert published.jwks() == before
