"""An API client: machine credentials of one tenant, for signed requests to the partner API.

A client holds one current secret and, after a rotation, the previous one until a deadline: both verify signatures
during the rollover, so a partner deploys the new secret without a moment where neither works. Retiring the previous
secret ends the rollover early. A revoked client is refused whatever secret signs for it, and cannot be changed.

The domain never sees a secret: it keeps each one ``sealed`` (encrypted by an adapter), with when it was made and, for
a previous secret, until when it verifies.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Final
from uuid import UUID

from keel.domain.api_clients.errors import InvalidClientName, InvalidRollover, NoPreviousSecret
from keel.domain.names import display_name

MAX_CLIENT_NAME_LENGTH: Final = 100
MAX_ACTIVE_CLIENTS: Final = 25
"""Active (not revoked) API clients a tenant may hold at once."""
MAX_ROLLOVER: Final = timedelta(days=30)
"""The longest a previous secret may stay valid after a rotation."""


def clean_client_name(raw: str) -> str:
    name = display_name(raw, min_length=1, max_length=MAX_CLIENT_NAME_LENGTH)
    if name is None:
        raise InvalidClientName(
            f"An API client's name has 1 to {MAX_CLIENT_NAME_LENGTH} printable characters.", context={"field": "name"}
        )
    return name


@dataclass(frozen=True, slots=True, kw_only=True)
class ClientSecret:
    sealed: bytes = field(repr=False)
    """The secret, encrypted by the ``SecretSealer`` adapter; meaningless to the domain."""
    created_at: datetime
    expires_at: datetime | None = None
    """Set on a previous secret: it verifies until then. ``None`` on the current secret."""

    def valid_at(self, now: datetime) -> bool:
        return self.expires_at is None or now < self.expires_at


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiClient:
    """Each change returns a new client; the repository stores it."""

    id: UUID
    tenant_id: UUID
    name: str
    created_by: UUID
    """The user who created it."""
    created_at: datetime
    secret: ClientSecret
    previous_secret: ClientSecret | None = None
    revoked_at: datetime | None = None

    @classmethod
    def register(
        cls, *, id: UUID, tenant_id: UUID, name: str, created_by: UUID, sealed_secret: bytes, now: datetime
    ) -> ApiClient:
        return cls(
            id=id,
            tenant_id=tenant_id,
            name=clean_client_name(name),
            created_by=created_by,
            created_at=now,
            secret=ClientSecret(sealed=sealed_secret, created_at=now),
        )

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def secrets_valid_at(self, now: datetime) -> tuple[ClientSecret, ...]:
        """The secrets that verify a signature at ``now``: none once revoked; the current one, and the previous one
        until its deadline."""
        if self.is_revoked:
            return ()
        if self.previous_secret is not None and self.previous_secret.valid_at(now):
            return (self.secret, self.previous_secret)
        return (self.secret,)

    def rotated(self, sealed_secret: bytes, *, now: datetime, rollover: timedelta) -> ApiClient:
        """A new current secret; the current one becomes the previous one, valid for ``rollover`` more (0: at once
        invalid). A previous secret still in its rollover is dropped: only two secrets verify at a time."""
        if not timedelta(0) <= rollover <= MAX_ROLLOVER:
            raise InvalidRollover(
                f"The previous secret stays valid for 0 to {MAX_ROLLOVER.days} days.",
                context={"field": "previous_secret_valid_for_seconds"},
            )
        previous = replace(self.secret, expires_at=now + rollover)
        return replace(self, secret=ClientSecret(sealed=sealed_secret, created_at=now), previous_secret=previous)

    def previous_secret_retired(self, now: datetime) -> ApiClient:
        """End the rollover now: only the current secret verifies from here on."""
        if self.previous_secret is None or not self.previous_secret.valid_at(now):
            raise NoPreviousSecret
        return replace(self, previous_secret=None)

    def revoked(self, now: datetime) -> ApiClient:
        return replace(self, revoked_at=now, previous_secret=None)
