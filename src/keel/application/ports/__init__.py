"""Ports the use cases need from the outside world, beyond the feature repositories."""

from keel.application.ports.clock import Clock, SystemClock
from keel.application.ports.ids import IdGenerator
from keel.application.ports.passwords import PasswordHasher
from keel.application.ports.rate_limits import Quota, RateDecision, RateLimiter
from keel.application.ports.repository import Repository
from keel.application.ports.tokens import (
    AccessTokenClaims,
    AccessTokenDenylist,
    AccessTokenVerifier,
    IssuedToken,
    PublishedKeys,
    TokenIssuer,
)

__all__ = [
    "AccessTokenClaims",
    "AccessTokenDenylist",
    "AccessTokenVerifier",
    "Clock",
    "IdGenerator",
    "IssuedToken",
    "PasswordHasher",
    "PublishedKeys",
    "Quota",
    "RateDecision",
    "RateLimiter",
    "Repository",
    "SystemClock",
    "TokenIssuer",
]
