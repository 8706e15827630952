"""The token ports: the issuer (what log-in hands back), the verifier (who a presented token says is acting), the
denylist of access tokens ended early (logout) and the published verification keys. Which claims a token carries and
how it is signed is the adapters' business."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol
from uuid import UUID

from keel.domain.users import User

if TYPE_CHECKING:
    # Only for annotations: importing the users package here at run time would import its use cases, which import
    # these ports back.
    from keel.application.users.actor import Actor


@dataclass(frozen=True, slots=True)
class IssuedToken:
    access_token: str = field(repr=False)
    expires_in: int
    """Seconds until the token expires."""
    token_type: str = "Bearer"  # noqa: S105 - the OAuth 2 token type, not a secret


@dataclass(frozen=True, slots=True)
class AccessTokenClaims:
    """What a verified access token says beyond its actor: which token it is, of which session, valid how long."""

    actor: Actor
    token_id: str
    """The token's own id (``jti``): what the denylist names."""
    session_id: UUID
    """The session (refresh-token family) it was issued in (``sid``)."""
    valid_until: datetime
    """The last moment a verifier accepts it (its expiry plus the tolerated clock skew)."""


class TokenIssuer(Protocol):
    async def issue(self, user: User, *, session_id: UUID) -> IssuedToken:
        """An access token for an active user who has just proven who they are, in session ``session_id``."""
        ...


class AccessTokenVerifier(Protocol):
    def verify(self, token: str) -> Actor:
        """The actor an access token speaks for.

        Raises ``AuthenticationRequired`` (with a generic detail) for any token that is malformed, forged, expired, not
        yet valid, meant for another audience or issuer, not an access token, or denied (logged out).
        """
        ...

    def claims(self, token: str) -> AccessTokenClaims:
        """``verify``, and the token's id, session and validity as well (for logout)."""
        ...


class AccessTokenDenylist(Protocol):
    """Access tokens refused before they expire. A process checks its own copy on every request: ``is_denied`` does
    no I/O. Another process learns of a denial within the adapter's propagation delay."""

    async def deny(self, token_id: str, valid_until: datetime) -> None:
        """Refuse the token ``token_id`` from now on, in this process at once; forget it after ``valid_until``, when
        the token is expired anyway. Never raises because the shared store is down: this process refuses it still."""
        ...

    def is_denied(self, token_id: str) -> bool: ...


class PublishedKeys(Protocol):
    def jwks(self) -> dict[str, object]:
        """The JSON Web Key Set (RFC 7517) of the public keys that verify access tokens: ``{"keys": [...]}``."""
        ...
