"""The delivery record of one message, and the repository port that stores it.

One record per ``message_id``: created ``queued`` when a delivery is first attempted, it counts the attempts, keeps the
last error, and ends ``sent`` (with the server's ``Message-ID`` and the time) or ``failed`` (with the reason). While an
attempt is sending, ``claimed_until`` says how long it owns the message: another attempt of the same message does not
send before then, and a crashed attempt is retried after it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Final
from uuid import UUID

from keel.application.email.ports import DeliveryOutcome, DeliveryStatus, EmailRequest, EmailTemplate

MAX_ERROR_LENGTH: Final = 1000
"""``last_error`` keeps at most this many characters (the end is cut, marked with an ellipsis)."""


def truncated_error(reason: str) -> str:
    """``reason`` cut to ``MAX_ERROR_LENGTH`` characters."""
    return reason if len(reason) <= MAX_ERROR_LENGTH else reason[: MAX_ERROR_LENGTH - 1] + "…"


@dataclass(frozen=True, slots=True, kw_only=True)
class EmailDelivery:
    """What is known of one message's delivery. Each transition returns a new record; ``save`` stores it."""

    message_id: UUID
    tenant_id: UUID
    recipient_user_id: UUID | None
    template: EmailTemplate
    status: DeliveryStatus
    attempts: int
    created_at: datetime
    updated_at: datetime
    to_address: str | None = None
    """Known once the recipient is resolved (at the first attempt)."""
    locale: str | None = None
    """The recipient's locale; the renderer falls back from it to a locale it has."""
    last_error: str | None = None
    provider_message_id: str | None = None
    sent_at: datetime | None = None
    claimed_until: datetime | None = None

    @classmethod
    def requested(cls, request: EmailRequest, now: datetime) -> EmailDelivery:
        """The record of a message not attempted yet: ``queued``, no attempt."""
        return cls(
            message_id=request.message_id,
            tenant_id=request.tenant_id,
            recipient_user_id=request.recipient_user_id,
            template=request.template,
            status=DeliveryStatus.QUEUED,
            attempts=0,
            created_at=now,
            updated_at=now,
        )

    @property
    def is_settled(self) -> bool:
        """Whether the delivery is over (``sent`` or ``failed``): nothing will be sent for it any more."""
        return self.status is not DeliveryStatus.QUEUED

    def is_claimed(self, now: datetime) -> bool:
        """Whether an attempt owns the message at ``now`` (it may be sending it)."""
        return self.claimed_until is not None and now < self.claimed_until

    def outcome(self) -> DeliveryOutcome:
        return DeliveryOutcome(
            message_id=self.message_id,
            status=self.status,
            attempts=self.attempts,
            provider_message_id=self.provider_message_id,
        )

    def attempted(self, *, to_address: str, locale: str, now: datetime, claim: timedelta) -> EmailDelivery:
        """One more attempt, to ``to_address``, owning the message for ``claim``."""
        return replace(
            self,
            to_address=to_address,
            locale=locale,
            attempts=self.attempts + 1,
            claimed_until=now + claim,
            updated_at=now,
        )

    def sent(self, provider_message_id: str, now: datetime) -> EmailDelivery:
        """The server accepted the message. A record already settled stays as it is (the first outcome holds)."""
        if self.is_settled:
            return self
        return replace(
            self,
            status=DeliveryStatus.SENT,
            provider_message_id=provider_message_id,
            sent_at=now,
            last_error=None,
            claimed_until=None,
            updated_at=now,
        )

    def retry_later(self, reason: str, now: datetime) -> EmailDelivery:
        """An attempt failed in a way that may pass: keep the reason, release the claim, stay ``queued``."""
        if self.is_settled:
            return self
        return replace(self, last_error=truncated_error(reason), claimed_until=None, updated_at=now)

    def failed(self, reason: str, now: datetime) -> EmailDelivery:
        """The message can never be sent: ``failed``, for good."""
        if self.is_settled:
            return self
        return replace(
            self, status=DeliveryStatus.FAILED, last_error=truncated_error(reason), claimed_until=None, updated_at=now
        )


class EmailDeliveryRepository(ABC):
    """Delivery records by ``message_id``. Like every repository it never commits; the unit of work does."""

    @abstractmethod
    async def add_if_absent(self, delivery: EmailDelivery) -> None:
        """Store a new record unless one with its ``message_id`` exists (then nothing changes, and no error).

        Waits for a concurrent transaction that added the same id until it ends. ``TenantNotFound`` when the tenant
        does not exist.
        """

    @abstractmethod
    async def get(self, message_id: UUID) -> EmailDelivery | None: ...

    @abstractmethod
    async def get_for_update(self, message_id: UUID) -> EmailDelivery | None:
        """The record, locked until the transaction ends: a concurrent ``get_for_update`` of it waits until then."""

    @abstractmethod
    async def save(self, delivery: EmailDelivery) -> None:
        """Write the record's current state over the stored one (which must exist)."""

    @abstractmethod
    async def erase_addresses(self, recipient_user_ids: Collection[UUID]) -> int:
        """Forget the address of every record sent (or to be sent) to these users — purged users: the records stay,
        with the bare user id, as the history of what was sent; the number of records changed."""
