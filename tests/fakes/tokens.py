"""A token issuer whose tokens name the user and session they were issued to, and a denylist that keeps what it was
told."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from keel.application.ports import IssuedToken
from keel.domain.users import User

TOKEN_LIFETIME_SECONDS = 900


class FakeTokenIssuer:
    def __init__(self) -> None:
        self.issued_to: list[UUID] = []
        self.sessions: list[UUID] = []

    async def issue(self, user: User, *, session_id: UUID) -> IssuedToken:
        self.issued_to.append(user.id)
        self.sessions.append(session_id)
        return IssuedToken(access_token=f"token-for:{user.id}", expires_in=TOKEN_LIFETIME_SECONDS)


class RecordingDenylist:
    """Implements ``AccessTokenDenylist`` as a plain mapping of denied token ids to their end of validity."""

    def __init__(self) -> None:
        self.denied: dict[str, datetime] = {}

    async def deny(self, token_id: str, valid_until: datetime) -> None:
        self.denied[token_id] = valid_until

    def is_denied(self, token_id: str) -> bool:
        return token_id in self.denied
