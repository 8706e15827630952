"""Opaque tokens, refresh-token families and one-time tokens: what is stored, what is handed out, what is announced."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest

from factories import UserFactory
from fakes.clock import START
from keel.domain.auth import (
    EmailVerificationRequested,
    OneTimeToken,
    OpaqueToken,
    PasswordResetRequested,
    RefreshToken,
    RevocationReason,
    TokenDigest,
    TokenPurpose,
)
from keel.domain.ids import uuid7
from keel.domain.users import User

TTL = timedelta(days=30)


def test_an_opaque_token_is_256_random_bits_url_safe_and_hidden_from_repr() -> None:
    tokens = {OpaqueToken.new().secret for _ in range(1000)}
    assert len(tokens) == 1000
    for secret in list(tokens)[:50]:
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", secret)
    token = OpaqueToken.new()
    assert token.secret not in repr(token)
    assert str(token) == "********"


def test_the_stored_digest_is_the_sha256_of_the_text() -> None:
    token = OpaqueToken.new()
    assert token.digest == TokenDigest.of(token.secret)
    assert token.digest.value == hashlib.sha256(token.secret.encode()).digest()
    assert TokenDigest.of("\ud800 lone surrogate").value  # any presented text can be looked up, none is an error
    assert token.digest.value.hex() not in repr(token.digest)


def first_token() -> RefreshToken:
    return RefreshToken.start_family(
        id=uuid7(), tenant_id=uuid7(), user_id=uuid7(), digest=OpaqueToken.new().digest, now=START, ttl=TTL
    )


def test_a_family_is_named_after_its_first_token_and_its_successors_stay_in_it() -> None:
    first = first_token()
    assert first.family_id == first.id
    assert first.expires_at == START + TTL
    later = START + timedelta(hours=1)
    successor = first.successor(id=uuid7(), digest=OpaqueToken.new().digest, now=later, ttl=TTL)
    assert (successor.family_id, successor.tenant_id, successor.user_id) == (
        first.family_id,
        first.tenant_id,
        first.user_id,
    )
    assert successor.id != first.id
    assert successor.expires_at == later + TTL
    assert successor.is_usable(later)


def _fields(token: RefreshToken) -> dict[str, object]:
    return {name: getattr(token, name) for name in RefreshToken.__slots__}


@pytest.mark.parametrize(
    ("changes", "usable"),
    [
        ({}, True),
        ({"spent_at": START, "replaced_by": uuid7()}, False),
        ({"revoked_at": START, "revoked_reason": RevocationReason.LOGOUT}, False),
    ],
)
def test_a_refresh_token_is_usable_unless_spent_revoked_or_expired(changes: dict[str, object], usable: bool) -> None:
    token = RefreshToken(**{**_fields(first_token()), **changes})
    assert token.is_usable(START) is usable
    assert not token.is_usable(START + TTL)


def user() -> User:
    built: User = UserFactory.build()
    return built


@pytest.mark.parametrize(
    ("purpose", "event_type"),
    [
        (TokenPurpose.PASSWORD_RESET, PasswordResetRequested),
        (TokenPurpose.EMAIL_VERIFICATION, EmailVerificationRequested),
    ],
)
def test_issuing_a_one_time_token_announces_its_text_and_stores_its_digest(
    purpose: TokenPurpose, event_type: type[PasswordResetRequested | EmailVerificationRequested]
) -> None:
    holder, secret = user(), OpaqueToken.new()
    token = OneTimeToken.issue(
        id=uuid7(), user=holder, purpose=purpose, secret=secret, now=START, ttl=timedelta(minutes=30)
    )
    [event] = token.pull_events()
    assert isinstance(event, event_type)
    assert (event.tenant_id, event.user_id, event.email, event.token) == (
        holder.tenant_id,
        holder.id,
        holder.email.value,
        secret.secret,
    )
    assert event.expires_at == token.expires_at == START + timedelta(minutes=30)
    assert token.digest == secret.digest
    assert token.email == holder.email
    assert secret.secret not in repr(event)
    assert secret.secret not in repr(token)
    assert token.is_usable(START)
    assert not token.is_usable(token.expires_at)
