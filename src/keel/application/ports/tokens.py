"""The token issuer port: what log-in hands back. Which claims a token carries and how it is signed is the adapter's
business."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from keel.domain.users import User


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
