"""The memo of verified access tokens: a token that passed is answered from memory until it expires, and nothing
that would fail the full check is ever answered from it."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from security_support import SESSION

from fakes.clock import FakeClock
from keel.application.users import Actor
from keel.domain.ids import uuid7
from keel.domain.users import Role, User
from keel.infrastructure.security import (
    InvalidAccessToken,
    JwtAccessTokenIssuer,
    JwtAccessTokenVerifier,
    SigningKeys,
    VerifiedToken,
    VerifiedTokens,
)
from keel.settings import SecuritySettings


class WallClock:
    """The verifier's memo reads this instead of the system time; PyJWT's own checks still use the system time."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def memo() -> VerifiedTokens:
    return VerifiedTokens(max_entries=100)


def _verifier(
    keys: SigningKeys, security: SecuritySettings, memo: VerifiedTokens, wall: WallClock | None = None
) -> JwtAccessTokenVerifier:
    return JwtAccessTokenVerifier(
        keys,
        issuer=security.jwt_issuer,
        audience=security.jwt_audience,
        leeway_seconds=security.jwt_leeway_seconds,
        verified=memo,
        **({"wall_clock": wall} if wall is not None else {}),
    )


KEY = ec.generate_private_key(ec.SECP256R1()).public_key()
KEYS = {"k": KEY}


def _actor() -> Actor:
    return Actor(user_id=uuid7(), tenant_id=uuid7(), roles=frozenset({Role.MEMBER}))


def _entry(expires: float, not_before: float = 0.0) -> VerifiedToken:
    return VerifiedToken(
        actor=_actor(), key=KEY, kid="k", token_id="t", session_id=SESSION, not_before=not_before, expires=expires
    )


def _entry_for(keys: SigningKeys, *, expires: float) -> VerifiedToken:
    kid = keys.signing.kid
    return VerifiedToken(
        actor=_actor(),
        key=keys.verifying[kid],
        kid=kid,
        token_id="t",
        session_id=SESSION,
        not_before=0.0,
        expires=expires,
    )


async def test_a_token_that_passed_is_answered_from_the_memo(
    issuer: JwtAccessTokenIssuer, keys: SigningKeys, security: SecuritySettings, memo: VerifiedTokens, user: User
) -> None:
    verifier = _verifier(keys, security, memo)
    token = (await issuer.issue(user, session_id=SESSION)).access_token

    first = verifier.verify(token)
    second = verifier.verify(token)

    assert first == second
    assert second.user_id == user.id
    assert len(memo) == 1
    assert memo.hits == 1


async def test_a_token_differing_in_any_byte_gets_the_full_check(
    issuer: JwtAccessTokenIssuer, keys: SigningKeys, security: SecuritySettings, memo: VerifiedTokens, user: User
) -> None:
    verifier = _verifier(keys, security, memo)
    token = (await issuer.issue(user, session_id=SESSION)).access_token
    verifier.verify(token)
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["roles"] = ["owner"]
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()

    with pytest.raises(InvalidAccessToken) as refused:
        verifier.verify(f"{header}.{forged_payload}.{signature}")

    assert refused.value.reason == "bad_signature"
    assert memo.hits == 0


async def test_an_entry_past_its_expiry_is_not_used_and_the_full_check_refuses_the_token(
    *,
    issuer: JwtAccessTokenIssuer,
    keys: SigningKeys,
    security: SecuritySettings,
    memo: VerifiedTokens,
    clock: FakeClock,
    user: User,
) -> None:
    clock.advance(seconds=-(security.access_token_ttl_seconds + 2 * security.jwt_leeway_seconds))
    token = (
        await issuer.issue(user, session_id=SESSION)
    ).access_token  # expired, by the system time PyJWT checks against
    wall = WallClock(clock.now().timestamp() + security.access_token_ttl_seconds + security.jwt_leeway_seconds)
    memo.put(token, _entry_for(keys, expires=wall.now))  # remembered, with an expiry that has just passed

    with pytest.raises(InvalidAccessToken) as refused:
        _verifier(keys, security, memo, wall).verify(token)

    assert refused.value.reason == "expired"
    assert len(memo) == 0


async def test_an_entry_within_its_validity_answers_without_the_signature_check(
    issuer: JwtAccessTokenIssuer, keys: SigningKeys, security: SecuritySettings, memo: VerifiedTokens, user: User
) -> None:
    token = (await issuer.issue(user, session_id=SESSION)).access_token
    header, payload, _signature = token.split(".")
    unsigned = f"{header}.{payload}.AAAA"  # would fail the full check
    entry = _entry_for(keys, expires=float("inf"))
    memo.put(unsigned, entry)

    assert _verifier(keys, security, memo).verify(unsigned) == entry.actor
    assert memo.hits == 1


async def test_a_remembered_token_is_refused_once_its_key_no_longer_verifies(
    issuer: JwtAccessTokenIssuer, keys: SigningKeys, security: SecuritySettings, memo: VerifiedTokens, user: User
) -> None:
    token = (await issuer.issue(user, session_id=SESSION)).access_token
    _verifier(keys, security, memo).verify(token)
    rotated = SigningKeys.of(ec.generate_private_key(ec.SECP256R1()))  # the old key retired

    with pytest.raises(InvalidAccessToken) as refused:
        _verifier(rotated, security, memo).verify(token)

    assert refused.value.reason == "unknown_kid"
    assert memo.hits == 0


def test_the_memo_keeps_the_most_recently_used_entries_within_its_bound() -> None:
    memo = VerifiedTokens(max_entries=2)
    memo.put("a", _entry(expires=100))
    memo.put("b", _entry(expires=100))
    assert memo.get("a", now=1, keys=KEYS) is not None  # "a" is now the most recently used
    memo.put("c", _entry(expires=100))

    assert memo.get("b", now=1, keys=KEYS) is None
    assert memo.get("a", now=1, keys=KEYS) is not None
    assert memo.get("c", now=1, keys=KEYS) is not None
    assert len(memo) == 2


def test_an_entry_answers_only_within_its_validity() -> None:
    memo = VerifiedTokens()
    memo.put("t", _entry(expires=100, not_before=10))

    assert memo.get("t", now=5, keys=KEYS) is None  # before nbf (a clock that went back): not answered, kept
    assert len(memo) == 1
    assert memo.get("t", now=50, keys=KEYS) is not None
    assert memo.get("t", now=100, keys=KEYS) is None  # at expiry: dropped
    assert len(memo) == 0


def test_an_entry_whose_key_left_the_set_is_dropped() -> None:
    memo = VerifiedTokens()
    memo.put("t", _entry(expires=100))
    replaced = {"k": ec.generate_private_key(ec.SECP256R1()).public_key()}  # same kid, another key

    assert memo.get("t", now=1, keys=replaced) is None
    assert len(memo) == 0


def test_a_memo_of_size_zero_remembers_nothing() -> None:
    memo = VerifiedTokens(max_entries=0)
    memo.put("t", _entry(expires=100))
    assert memo.get("t", now=1, keys=KEYS) is None
    assert len(memo) == 0


def test_a_negative_size_is_refused() -> None:
    with pytest.raises(ValueError, match="0"):
        VerifiedTokens(max_entries=-1)
