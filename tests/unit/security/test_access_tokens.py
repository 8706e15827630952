"""Access tokens: what an issued token carries, and that the verifier turns it back into the actor it was issued to."""

from __future__ import annotations

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from security_support import SESSION

from fakes.clock import FakeClock
from keel.application.errors import AuthenticationRequired
from keel.domain.users import Role, User
from keel.infrastructure.security import InvalidAccessToken, JwtAccessTokenIssuer, JwtAccessTokenVerifier, SigningKeys
from keel.settings import SecuritySettings


async def test_an_issued_token_verifies_as_the_user_it_was_issued_to(
    issuer: JwtAccessTokenIssuer, verifier: JwtAccessTokenVerifier, user: User, security: SecuritySettings
) -> None:
    issued = await issuer.issue(user, session_id=SESSION)
    actor = verifier.verify(issued.access_token)
    assert actor.user_id == user.id
    assert actor.tenant_id == user.tenant_id
    assert actor.roles == frozenset({Role.MEMBER, Role.ADMIN})
    assert issued.expires_in == security.access_token_ttl_seconds
    assert issued.token_type == "Bearer"
    assert issued.access_token not in repr(issued)


async def test_a_token_carries_the_documented_claims_and_names_its_key(
    issuer: JwtAccessTokenIssuer, keys: SigningKeys, clock: FakeClock, user: User, security: SecuritySettings
) -> None:
    token = (await issuer.issue(user, session_id=SESSION)).access_token
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    now = int(clock.now().timestamp())
    assert header["alg"] == "ES256"
    assert header["kid"] == keys.signing.kid
    assert isinstance(claims["jti"], str)
    assert claims["jti"]
    assert claims == {
        "iss": security.jwt_issuer,
        "aud": security.jwt_audience,
        "sub": str(user.id),
        "tid": str(user.tenant_id),
        "roles": ["admin", "member"],
        "iat": now,
        "nbf": now,
        "exp": now + security.access_token_ttl_seconds,
        "jti": claims["jti"],
        "sid": str(SESSION),
        "typ": "access",
    }


async def test_every_token_has_its_own_jti(issuer: JwtAccessTokenIssuer, user: User) -> None:
    tokens = [(await issuer.issue(user, session_id=SESSION)).access_token for _ in range(5)]
    jtis = {jwt.decode(token, options={"verify_signature": False})["jti"] for token in tokens}
    assert len(jtis) == 5


async def test_an_expired_token_is_accepted_within_the_leeway_only(
    issuer: JwtAccessTokenIssuer,
    verifier: JwtAccessTokenVerifier,
    clock: FakeClock,
    user: User,
    security: SecuritySettings,
) -> None:
    ttl, leeway = security.access_token_ttl_seconds, security.jwt_leeway_seconds
    clock.advance(seconds=-(ttl + leeway // 2))  # expired leeway/2 seconds ago: tolerated skew
    assert verifier.verify((await issuer.issue(user, session_id=SESSION)).access_token).user_id == user.id
    clock.advance(seconds=-2 * leeway)  # expired 2.5 × leeway seconds ago
    stale = (await issuer.issue(user, session_id=SESSION)).access_token
    with pytest.raises(InvalidAccessToken) as caught:
        verifier.verify(stale)
    assert caught.value.reason == "expired"


async def test_a_token_issued_slightly_in_the_future_is_accepted_within_the_leeway_only(
    issuer: JwtAccessTokenIssuer,
    verifier: JwtAccessTokenVerifier,
    clock: FakeClock,
    user: User,
    security: SecuritySettings,
) -> None:
    leeway = security.jwt_leeway_seconds
    clock.advance(seconds=leeway // 2)  # the issuing instance's clock runs ahead
    assert verifier.verify((await issuer.issue(user, session_id=SESSION)).access_token).user_id == user.id
    clock.advance(seconds=2 * leeway)
    early = (await issuer.issue(user, session_id=SESSION)).access_token
    with pytest.raises(InvalidAccessToken) as caught:
        verifier.verify(early)
    assert caught.value.reason == "not_yet_valid"


async def test_a_token_signed_by_any_key_of_the_verifying_set_is_accepted(clock: FakeClock, user: User) -> None:
    current, retired = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    keys = SigningKeys.of(current, retired=[retired.public_key()])
    verifier = JwtAccessTokenVerifier(keys, issuer="keel", audience="api", leeway_seconds=0)
    for signing_keys in (keys, SigningKeys.of(retired)):
        issuer = JwtAccessTokenIssuer(signing_keys, issuer="keel", audience="api", ttl_seconds=60, clock=clock)
        assert verifier.verify((await issuer.issue(user, session_id=SESSION)).access_token).user_id == user.id
    assert len(keys.verifying) == 2


def test_a_refusal_is_an_authentication_error_with_one_generic_detail(verifier: JwtAccessTokenVerifier) -> None:
    refusals: list[InvalidAccessToken] = []
    for token in ("", "not-a-jwt", "a.b.c"):
        with pytest.raises(InvalidAccessToken) as caught:
            verifier.verify(token)
        refusals.append(caught.value)
    assert all(isinstance(refusal, AuthenticationRequired) for refusal in refusals)
    assert {refusal.code for refusal in refusals} == {"authentication_required"}
    assert len({refusal.detail for refusal in refusals}) == 1
    assert all(refusal.reason not in refusal.detail for refusal in refusals)
    assert refusals[0].log_context == {"reason": refusals[0].reason}
