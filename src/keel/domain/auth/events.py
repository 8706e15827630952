"""Events that ask for an email carrying a one-time token.

They carry what the email needs: the tenant and user (for the recipient's name and locale), the address the token
was issued for, the token's text and its expiry. The text is the one place the secret exists outside the
recipient's mailbox — see ``docs/explanation/sessions-and-tokens.md`` for where it travels and why that is accepted.
It never shows in a ``repr`` (and so in no log line).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from keel.domain.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class OneTimeTokenRequested(DomainEvent):
    tenant_id: UUID
    user_id: UUID
    email: str
    """The address the token was issued for: the email goes there (see ``OneTimeToken``)."""
    token: str = field(repr=False)
    expires_at: datetime


@dataclass(frozen=True, kw_only=True)
class PasswordResetRequested(OneTimeTokenRequested):
    """Send the ``password_reset`` email with ``token``."""


@dataclass(frozen=True, kw_only=True)
class EmailVerificationRequested(OneTimeTokenRequested):
    """Send the ``verify_email`` email with ``token``."""
