"""The token ports: the issuer (what log-in hands back), the verifier (who a presented token says is acting) and the
published verification keys. Which claims a token carries and how it is signed is the adapters' business."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

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


class TokenIssuer(Protocol):
    async def issue(self, user: User) -> IssuedToken:
        """An access token for an active user who has just proven who they are."""
        ...


class AccessTokenVerifier(Protocol):
    def verify(self, token: str) -> Actor:
        """The actor an access token speaks for.

        Raises ``AuthenticationRequired`` (with a generic detail) for any token that is malformed, forged, expired, not
        yet valid, meant for another audience or issuer, or not an access token.
        """
        ...


class PublishedKeys(Protocol):
    def jwks(self) -> dict[str, object]:
        """The JSON Web Key Set (RFC 7517) of the public keys that verify access tokens: ``{"keys": [...]}``."""
        ...
