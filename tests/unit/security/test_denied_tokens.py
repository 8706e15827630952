"""The in-process denylist: a denied token is refused until it would have expired anyway — remembered as verified or
not — and the memory held is bounded by the tokens still alive. A refresh token is never an access token."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from security_support import SESSION

from keel.application.errors import AuthenticationRequired
from keel.domain.auth import OpaqueToken
from keel.domain.users import User
from keel.infrastructure.security import (
    DeniedAccessTokens,
    InvalidAccessToken,
    JwtAccessTokenIssuer,
    JwtAccessTokenVerifier,
    SigningKeys,
    VerifiedTokens,
)
from keel.settings import SecuritySettings


class Wall:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_denied_token_id_stays_denied_until_its_end_then_is_forgotten() -> None:
    wall = Wall(1_000.0)
    denied = DeniedAccessTokens(wall)
    denied.add("a", 1_100.0)
    denied.add("b", 1_050.0)
    denied.add("a", 1_020.0)  # an earlier end never shortens a denial
    assert denied.is_denied("a")
    assert denied.is_denied("b")
    assert not denied.is_denied("c")
    wall.now = 1_050.0
    assert not denied.is_denied("b")
    assert denied.is_denied("a")
    denied.add("c", 1_000.0)  # already over: nothing to remember
    assert denied.entries() == {"a": 1_100.0}
    wall.now = 1_100.0
    denied.add("d", 1_200.0)
    assert len(denied) == 1, "expired entries leave as new ones arrive"


async def test_deny_takes_the_end_of_validity_as_a_time() -> None:
    denied = DeniedAccessTokens(Wall(1_000.0))
    await denied.deny("a", datetime.fromtimestamp(1_060.0, UTC))
    assert denied.entries() == {"a": 1_060.0}


@pytest.fixture
def denied() -> DeniedAccessTokens:
    return DeniedAccessTokens()


@pytest.fixture
def remembering_verifier(
    keys: SigningKeys, security: SecuritySettings, denied: DeniedAccessTokens
) -> JwtAccessTokenVerifier:
    return JwtAccessTokenVerifier(
        keys,
        issuer=security.jwt_issuer,
        audience=security.jwt_audience,
        leeway_seconds=security.jwt_leeway_seconds,
        verified=VerifiedTokens(100),
        denied=denied,
    )


async def test_the_claims_name_the_token_its_session_and_its_end(
    issuer: JwtAccessTokenIssuer, remembering_verifier: JwtAccessTokenVerifier, user: User, security: SecuritySettings
) -> None:
    token = (await issuer.issue(user, session_id=SESSION)).access_token
    for _ in range(2):  # checked in full, then from the memo: the same answer
        claims = remembering_verifier.claims(token)
        assert claims.actor == remembering_verifier.verify(token)
        assert claims.session_id == SESSION
        assert len(claims.token_id) == 32
        expected_end = datetime.now(UTC).timestamp() + security.access_token_ttl_seconds + security.jwt_leeway_seconds
        assert abs(claims.valid_until.timestamp() - expected_end) <= 2


async def test_a_denied_token_is_refused_even_while_remembered_as_verified(
    issuer: JwtAccessTokenIssuer,
    remembering_verifier: JwtAccessTokenVerifier,
    denied: DeniedAccessTokens,
    user: User,
) -> None:
    token = (await issuer.issue(user, session_id=SESSION)).access_token
    other = (await issuer.issue(user, session_id=SESSION)).access_token
    claims = remembering_verifier.claims(token)
    assert len(remembering_verifier.verified) == 1
    await denied.deny(claims.token_id, claims.valid_until)
    for check in (remembering_verifier.verify, remembering_verifier.claims):
        with pytest.raises(InvalidAccessToken) as caught:
            check(token)
        assert caught.value.reason == "denied"
        assert isinstance(caught.value, AuthenticationRequired)
    assert remembering_verifier.verify(other).user_id == user.id, "only that token: another one of the session works"


def test_a_refresh_token_is_not_an_access_token(remembering_verifier: JwtAccessTokenVerifier) -> None:
    with pytest.raises(InvalidAccessToken) as caught:
        remembering_verifier.verify(OpaqueToken.new().secret)
    assert caught.value.reason == "malformed"
