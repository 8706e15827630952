"""Refresh tokens: rotated at every use, grouped in families, revoked as a family (RFC 9700 §4.14.2).

Log-in starts a family with its first token; each refresh spends the presented token and issues its successor in the
same family. A token is usable while it is neither spent nor revoked nor expired. Presenting a token that was already
spent means two parties hold it — the client and someone who copied it — and nobody can tell which is which, so the
whole family is revoked: the thief's copy and the client's newest token stop working together, and the user logs in
again. Each token expires ``ttl`` after it was issued, so a family lives as long as it is used at least that often.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from keel.domain.auth.opaque_tokens import TokenDigest


class RevocationReason(StrEnum):
    LOGOUT = "logout"
    REUSE_DETECTED = "reuse_detected"
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a reason's name, not a secret
    USER_INACTIVE = "user_inactive"


@dataclass(frozen=True, kw_only=True, slots=True)
class RefreshToken:
    """One token of a family, as stored: its digest, never its text."""

    id: UUID
    family_id: UUID
    """The family: the id of its first token. Access tokens of the session carry it as ``sid``."""
    tenant_id: UUID
    user_id: UUID
    digest: TokenDigest
    created_at: datetime
    expires_at: datetime
    spent_at: datetime | None = None
    replaced_by: UUID | None = None
    """The successor issued when this token was spent."""
    revoked_at: datetime | None = None
    revoked_reason: RevocationReason | None = None

    @classmethod
    def start_family(
        cls, *, id: UUID, tenant_id: UUID, user_id: UUID, digest: TokenDigest, now: datetime, ttl: timedelta
    ) -> RefreshToken:
        """The first token of a new family (a log-in); the family is named after it."""
        return cls(
            id=id,
            family_id=id,
            tenant_id=tenant_id,
            user_id=user_id,
            digest=digest,
            created_at=now,
            expires_at=now + ttl,
        )

    def successor(self, *, id: UUID, digest: TokenDigest, now: datetime, ttl: timedelta) -> RefreshToken:
        """The token that replaces this one in its family (a refresh)."""
        return replace(
            self,
            id=id,
            digest=digest,
            created_at=now,
            expires_at=now + ttl,
            spent_at=None,
            replaced_by=None,
            revoked_at=None,
            revoked_reason=None,
        )

    @property
    def is_spent(self) -> bool:
        return self.spent_at is not None

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_usable(self, now: datetime) -> bool:
        return not self.is_spent and not self.is_revoked and now < self.expires_at
