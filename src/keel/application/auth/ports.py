"""The repository ports of sessions and one-time tokens, reached through the unit of work as ``uow.refresh_tokens``
and ``uow.one_time_tokens``.

Tokens are found by the digest of their text (``TokenDigest``), never by the text. Spending a refresh token and using
a one-time token are each one conditional write that succeeds for exactly one of any number of concurrent callers —
never a read followed by a write, which two callers could both pass.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime
from uuid import UUID

from keel.application.ports.repository import Repository
from keel.domain.auth import OneTimeToken, RefreshToken, RevocationReason, TokenDigest, TokenPurpose


class RefreshTokenRepository(ABC):
    @abstractmethod
    async def add(self, token: RefreshToken) -> None:
        """Store a new token (the first of a family, or a successor)."""

    @abstractmethod
    async def spend(self, digest: TokenDigest, *, now: datetime, replaced_by: UUID) -> RefreshToken | None:
        """Mark the token with this digest spent (replaced by ``replaced_by``) — if it is usable: not spent, not
        revoked, not expired at ``now`` — and return it as now stored; ``None`` otherwise. One conditional
        statement: of concurrent calls with one digest, at most one gets the token."""

    @abstractmethod
    async def get(self, digest: TokenDigest) -> RefreshToken | None:
        """The token with this digest, whatever its state (to tell a replayed token from an unknown one)."""

    @abstractmethod
    async def revoke_family(
        self, family_id: UUID, *, tenant_id: UUID, user_id: UUID, now: datetime, reason: RevocationReason
    ) -> int:
        """Revoke every not yet revoked token of the user's family; how many were."""

    @abstractmethod
    async def revoke_all_of_user(
        self, tenant_id: UUID, user_id: UUID, *, now: datetime, reason: RevocationReason
    ) -> int:
        """Revoke every not yet revoked token of every family of the user; how many were."""

    @abstractmethod
    async def delete_expired(self, *, before: datetime) -> int:
        """Delete tokens that expired before ``before``; how many were."""


class OneTimeTokenRepository(Repository[OneTimeToken], ABC):
    """``add`` records the token for the unit of work, which publishes the event it recorded after commit."""

    async def add(self, token: OneTimeToken) -> None:
        await self._add(token)
        self._remember([token])

    @abstractmethod
    async def find_usable(self, digest: TokenDigest, purpose: TokenPurpose, *, now: datetime) -> OneTimeToken | None:
        """The token of this purpose with this digest if it is usable at ``now`` (a check before costly work)."""

    @abstractmethod
    async def use(self, digest: TokenDigest, purpose: TokenPurpose, *, now: datetime) -> OneTimeToken | None:
        """Mark the token used if it is usable at ``now`` and return it; ``None`` otherwise. One conditional
        statement: of concurrent calls with one digest, at most one gets the token."""

    @abstractmethod
    async def set_aside_outstanding(
        self, tenant_id: UUID, user_id: UUID, purpose: TokenPurpose, *, now: datetime
    ) -> int:
        """Mark every unused token of the user for ``purpose`` used (older links stop working); how many were."""

    @abstractmethod
    async def delete_expired(self, *, before: datetime) -> int:
        """Delete tokens that expired before ``before``; how many were."""

    @abstractmethod
    async def _add(self, token: OneTimeToken) -> None: ...
