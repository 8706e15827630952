"""One-time tokens: the secret in a password-reset or email-verification link.

A token serves one purpose for one user, once, until it expires. It is bound to the email address it was sent to:
an email-verification token proves that the user reads *that* mailbox, so it verifies nothing once the user's email
has changed. Issuing a token records the event that asks for the email carrying it; the event holds the token's text,
the store only its digest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from keel.domain.auth.events import EmailVerificationRequested, OneTimeTokenRequested, PasswordResetRequested
from keel.domain.auth.opaque_tokens import OpaqueToken, TokenDigest
from keel.domain.events import Aggregate
from keel.domain.users import EmailAddress, User


class TokenPurpose(StrEnum):
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a purpose's name, not a secret
    EMAIL_VERIFICATION = "email_verification"


_REQUESTED: dict[TokenPurpose, type[OneTimeTokenRequested]] = {
    TokenPurpose.PASSWORD_RESET: PasswordResetRequested,
    TokenPurpose.EMAIL_VERIFICATION: EmailVerificationRequested,
}


@dataclass(eq=False, kw_only=True)
class OneTimeToken(Aggregate):
    tenant_id: UUID
    user_id: UUID
    purpose: TokenPurpose
    digest: TokenDigest
    email: EmailAddress
    """The address the token was sent to."""
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    """When it was used, or set aside because another token of its purpose was used."""

    @classmethod
    def issue(
        cls, *, id: UUID, user: User, purpose: TokenPurpose, secret: OpaqueToken, now: datetime, ttl: timedelta
    ) -> OneTimeToken:
        """A new token for ``user``'s current email; records ``PasswordResetRequested`` or
        ``EmailVerificationRequested`` with the token's text, for the email that carries it."""
        token = cls(
            id=id,
            tenant_id=user.tenant_id,
            user_id=user.id,
            purpose=purpose,
            digest=secret.digest,
            email=user.email,
            created_at=now,
            expires_at=now + ttl,
        )
        token.record(
            _REQUESTED[purpose](
                occurred_at=now,
                tenant_id=user.tenant_id,
                user_id=user.id,
                email=user.email.value,
                token=secret.secret,
                expires_at=token.expires_at,
            )
        )
        return token

    def is_usable(self, now: datetime) -> bool:
        return self.used_at is None and now < self.expires_at
