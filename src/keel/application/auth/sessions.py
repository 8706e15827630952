"""What log-in and refresh hand back — an access token and a refresh token — and the one place that makes them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from keel.application.ports import IdGenerator, IssuedToken, TokenIssuer
from keel.domain.auth import OpaqueToken, RefreshToken
from keel.domain.users import User


@dataclass(frozen=True, slots=True)
class IssuedTokens:
    access: IssuedToken
    refresh_token: str = field(repr=False)
    refresh_expires_in: int
    """Seconds until the refresh token expires (unless it is used, or revoked, first)."""


@dataclass(frozen=True, slots=True)
class NewRefreshToken:
    """A refresh token about to be stored (``record``) and handed out (``secret``)."""

    record: RefreshToken
    secret: OpaqueToken = field(repr=False)


class SessionTokens:
    """Makes refresh tokens with the configured lifetime, and the token pair a client receives."""

    def __init__(self, tokens: TokenIssuer, ids: IdGenerator, *, refresh_ttl_seconds: int) -> None:
        if refresh_ttl_seconds <= 0:
            raise ValueError("refresh_ttl_seconds is positive")
        self._tokens = tokens
        self._ids = ids
        self.refresh_ttl_seconds = refresh_ttl_seconds

    @property
    def refresh_ttl(self) -> timedelta:
        return timedelta(seconds=self.refresh_ttl_seconds)

    def start(self, user: User, now: datetime) -> NewRefreshToken:
        """The first refresh token of a new session of ``user``."""
        secret = OpaqueToken.new()
        record = RefreshToken.start_family(
            id=self._ids.new_id(),
            tenant_id=user.tenant_id,
            user_id=user.id,
            digest=secret.digest,
            now=now,
            ttl=self.refresh_ttl,
        )
        return NewRefreshToken(record=record, secret=secret)

    def next_id(self) -> UUID:
        return self._ids.new_id()

    def successor(self, spent: RefreshToken, successor_id: UUID, now: datetime) -> NewRefreshToken:
        """The token replacing ``spent`` in its family; ``successor_id`` is the id ``spent`` was marked replaced by."""
        secret = OpaqueToken.new()
        record = spent.successor(id=successor_id, digest=secret.digest, now=now, ttl=self.refresh_ttl)
        return NewRefreshToken(record=record, secret=secret)

    async def pair(self, user: User, refresh: NewRefreshToken) -> IssuedTokens:
        """An access token for ``user`` in ``refresh``'s session, with the refresh token's text."""
        access = await self._tokens.issue(user, session_id=refresh.record.family_id)
        return IssuedTokens(
            access=access, refresh_token=refresh.secret.secret, refresh_expires_in=self.refresh_ttl_seconds
        )
