"""DeliverEmailUseCase: render and send one requested message, recording every attempt; at most one send at a time.

```python
outcome = await deliver_email(EmailRequest(message_id=..., template=EmailTemplate.WELCOME, tenant_id=...,
                                           recipient_user_id=user.id))
```

1. In one transaction: create the delivery record if it is new (``queued``, no attempt) and lock it. A record that is
   ``sent`` or ``failed`` is returned as it is — nothing is sent again. A record another attempt has claimed (it may be
   sending now) raises ``TransientEmailError``: retried later, that attempt will have settled it. Otherwise resolve the
   recipient, render, count the attempt, claim the message for ``claim_seconds`` and commit — before sending, so an
   attempt is counted even if the process dies while sending.
2. Send, outside any transaction.
3. In a second transaction: record ``sent`` (the ``Message-ID``, the time), or keep the error of a transient failure
   (the message stays ``queued``) and re-raise it, or record ``failed`` for a permanent one and re-raise it.

A recipient user who does not exist (or was deleted), an invalid address, a context the template cannot use, or an
unknown template make the message ``failed`` with the reason, and raise ``PermanentEmailError``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from keel.application.email.context import RECIPIENT_EMAIL, RECIPIENT_NAME, check_request_context
from keel.application.email.delivery import EmailDelivery
from keel.application.email.ports import (
    DeliveryOutcome,
    EmailMessage,
    EmailRenderer,
    EmailRequest,
    EmailSender,
    PermanentEmailError,
    TransientEmailError,
)
from keel.application.ports import Clock
from keel.application.unit_of_work import UnitOfWork, UnitOfWorkFactory
from keel.domain.tenants import TenantNotFound
from keel.domain.users import EmailAddress, InvalidEmail
from keel.domain.users.preferences import DEFAULT_LOCALE

DEFAULT_CLAIM_SECONDS = 120.0


@dataclass(frozen=True, slots=True)
class Recipient:
    address: str
    name: str
    locale: str


class DeliverEmailUseCase:
    """The ``DeliverEmail`` port: idempotent per ``message_id``; see the module for the steps."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        renderer: EmailRenderer,
        sender: EmailSender,
        clock: Clock,
        *,
        claim_seconds: float = DEFAULT_CLAIM_SECONDS,
    ) -> None:
        if claim_seconds <= 0:
            raise ValueError("claim_seconds must be positive")
        self._uow = uow
        self._renderer = renderer
        self._sender = sender
        self._clock = clock
        self._claim = timedelta(seconds=claim_seconds)

    async def __call__(self, request: EmailRequest) -> DeliveryOutcome:
        claimed = await self._claim_and_render(request)
        if isinstance(claimed, DeliveryOutcome):
            return claimed
        try:
            sent = await self._sender.send(claimed)
        except TransientEmailError as error:
            reason = str(error)
            await self._settle(request.message_id, lambda record, now: record.retry_later(reason, now))
            raise
        except PermanentEmailError as error:
            reason = str(error)
            await self._settle(request.message_id, lambda record, now: record.failed(reason, now))
            raise
        settled = await self._settle(request.message_id, lambda record, now: record.sent(sent.provider_message_id, now))
        return settled.outcome()

    async def _claim_and_render(self, request: EmailRequest) -> EmailMessage | DeliveryOutcome:
        """The message to send, with the attempt counted and committed; or the outcome of a settled delivery."""
        now = self._clock.now()
        async with self._uow() as uow:
            deliveries = uow.email_deliveries
            try:
                await deliveries.add_if_absent(EmailDelivery.requested(request, now))
            except TenantNotFound:
                raise PermanentEmailError(
                    f"message {request.message_id}: tenant {request.tenant_id} does not exist"
                ) from None
            delivery = await self._locked(uow, request.message_id)
            _ensure_same_message(delivery, request)
            if delivery.is_settled:
                return delivery.outcome()
            if delivery.is_claimed(now):
                raise TransientEmailError(
                    f"message {request.message_id} is claimed by another attempt until "
                    f"{delivery.claimed_until:%Y-%m-%dT%H:%M:%SZ}; try again later"
                )
            try:
                recipient = await self._recipient(uow, request)
                message = self._render(request, recipient)
            except PermanentEmailError as error:
                await deliveries.save(delivery.failed(str(error), now))
                await uow.commit()
                raise
            attempt = delivery.attempted(
                to_address=recipient.address, locale=recipient.locale, now=now, claim=self._claim
            )
            await deliveries.save(attempt)
            await uow.commit()
        return message

    async def _recipient(self, uow: UnitOfWork, request: EmailRequest) -> Recipient:
        if request.recipient_user_id is not None:
            user = await uow.users.get(request.tenant_id, request.recipient_user_id)
            if user is None:
                raise PermanentEmailError(
                    f"the recipient user {request.recipient_user_id} does not exist in tenant {request.tenant_id} "
                    "or was deleted"
                )
            return Recipient(address=user.email.value, name=user.full_name, locale=user.preferences.locale)
        if request.to is None:
            raise PermanentEmailError("the request names no recipient: neither recipient_user_id nor to")
        try:
            address = EmailAddress(request.to)
        except InvalidEmail:
            raise PermanentEmailError(f"the recipient address {request.to!r} is not a valid email address") from None
        return Recipient(address=address.value, name="", locale=DEFAULT_LOCALE)

    def _render(self, request: EmailRequest, recipient: Recipient) -> EmailMessage:
        check_request_context(request.template, request.context)
        context = {**request.context, RECIPIENT_NAME: recipient.name, RECIPIENT_EMAIL: recipient.address}
        rendered = self._renderer.render(request.template, recipient.locale, context)
        return EmailMessage(
            message_id=request.message_id,
            to=recipient.address,
            subject=rendered.subject,
            text=rendered.text,
            html=rendered.html,
        )

    async def _settle(
        self, message_id: UUID, change: Callable[[EmailDelivery, datetime], EmailDelivery]
    ) -> EmailDelivery:
        """Apply the outcome of the attempt to the (locked) record and commit."""
        async with self._uow() as uow:
            delivery = await self._locked(uow, message_id)
            settled = change(delivery, self._clock.now())
            if settled != delivery:
                await uow.email_deliveries.save(settled)
                await uow.commit()
        return settled

    @staticmethod
    async def _locked(uow: UnitOfWork, message_id: UUID) -> EmailDelivery:
        delivery = await uow.email_deliveries.get_for_update(message_id)
        if delivery is None:  # added in this transaction, or earlier: records are never deleted
            raise RuntimeError(f"the delivery record of message {message_id} is missing")
        return delivery


def _ensure_same_message(delivery: EmailDelivery, request: EmailRequest) -> None:
    """A message id names one message: a request that reuses it for another one is refused (the record is kept)."""
    recorded = (delivery.tenant_id, delivery.template, delivery.recipient_user_id)
    requested = (request.tenant_id, request.template, request.recipient_user_id)
    if recorded != requested:
        raise PermanentEmailError(
            f"message id {request.message_id} already names another message (a {delivery.template} email of tenant "
            f"{delivery.tenant_id}); a new message needs a new id"
        )
