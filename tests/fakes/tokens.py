"""A token issuer whose tokens name the user they were issued to."""

from __future__ import annotations

from uuid import UUID

from keel.application.ports import IssuedToken
from keel.domain.users import User

TOKEN_LIFETIME_SECONDS = 900


class FakeTokenIssuer:
    def __init__(self) -> None:
        self.issued_to: list[UUID] = []

    async def issue(self, user: User) -> IssuedToken:
        self.issued_to.append(user.id)
        return IssuedToken(access_token=f"token-for:{user.id}", expires_in=TOKEN_LIFETIME_SECONDS)
