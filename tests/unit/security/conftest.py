"""Fixtures of the security adapter tests: a signing key, an issuer and a verifier that agree, a user to issue for."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from factories import UserFactory
from fakes.clock import FakeClock
from keel.domain.users import Role, User
from keel.infrastructure.security import JwtAccessTokenIssuer, JwtAccessTokenVerifier, SigningKeys
from keel.settings import SecuritySettings


@pytest.fixture
def security() -> SecuritySettings:
    return SecuritySettings(
        jwt_issuer="keel-test", jwt_audience="keel-test-api", access_token_ttl_seconds=900, jwt_leeway_seconds=10
    )


@pytest.fixture
def keys() -> SigningKeys:
    return SigningKeys.of(ec.generate_private_key(ec.SECP256R1()))


@pytest.fixture
def clock() -> FakeClock:
    """Starts at the real time: the verifier checks ``exp``, ``nbf`` and ``iat`` against the system clock."""
    return FakeClock(datetime.now(UTC))


@pytest.fixture
def issuer(keys: SigningKeys, security: SecuritySettings, clock: FakeClock) -> JwtAccessTokenIssuer:
    return JwtAccessTokenIssuer(
        keys,
        issuer=security.jwt_issuer,
        audience=security.jwt_audience,
        ttl_seconds=security.access_token_ttl_seconds,
        clock=clock,
    )


@pytest.fixture
def verifier(keys: SigningKeys, security: SecuritySettings) -> JwtAccessTokenVerifier:
    return JwtAccessTokenVerifier(
        keys,
        issuer=security.jwt_issuer,
        audience=security.jwt_audience,
        leeway_seconds=security.jwt_leeway_seconds,
    )


@pytest.fixture
def user() -> User:
    built = UserFactory.build(roles=frozenset({Role.MEMBER, Role.ADMIN}))
    assert isinstance(built, User)
    return built
