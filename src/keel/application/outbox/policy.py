"""Which durable events ask for work outside their transaction, and the outbox message each one writes.

This module is the one place that decides it. A rule turns one event into one message; ``DEFAULT_RULES`` lists the
rules by event type; a rule may also answer ``None`` when this event asks for no message (a user created without the
welcome email). Adding a message (a password reset email, a verification email, an import) is one rule function
and one entry, e.g.::

    def verification_email(event: EmailVerificationRequested, message_id: UUID) -> OutboxMessage:
        request = EmailRequest(message_id=message_id, template=EmailTemplate.VERIFY_EMAIL, ...)
        return send_email_message(request, created_at=event.occurred_at)

    DEFAULT_RULES = {UserCreated: (welcome_email,), EmailVerificationRequested: (verification_email,)}

``OutboxWriter`` is the unit of work's before-commit handler that writes those messages in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from uuid import UUID

from keel.application.email.ports import EmailRequest, EmailTemplate
from keel.application.outbox.email import send_email_message
from keel.application.outbox.messages import OutboxMessage
from keel.application.ports.ids import IdGenerator
from keel.domain.auth import EmailVerificationRequested, OneTimeTokenRequested, PasswordResetRequested
from keel.domain.events import DomainEvent
from keel.domain.users import UserCreated

if TYPE_CHECKING:
    from keel.application.unit_of_work import UnitOfWork

type MessageRule[E: DomainEvent] = Callable[[E, UUID], OutboxMessage | None]
"""Builds the message an event asks for, given the new message's id; ``None`` when this event asks for none."""


def welcome_email(event: UserCreated, message_id: UUID) -> OutboxMessage | None:
    """A new user gets the welcome email (address and locale are read when it is sent), unless created without it."""
    if not event.welcome_email:
        return None
    request = EmailRequest(
        message_id=message_id,
        template=EmailTemplate.WELCOME,
        tenant_id=event.tenant_id,
        recipient_user_id=event.user_id,
    )
    return send_email_message(request, created_at=event.occurred_at)


def _token_email(template: EmailTemplate, event: OneTimeTokenRequested, message_id: UUID) -> OutboxMessage:
    # The token travels in the message's payload to the email: see docs/explanation/sessions-and-tokens.md.
    request = EmailRequest(
        message_id=message_id,
        template=template,
        tenant_id=event.tenant_id,
        recipient_user_id=event.user_id,
        context={"token": event.token},
    )
    return send_email_message(request, created_at=event.occurred_at)


def password_reset_email(event: PasswordResetRequested, message_id: UUID) -> OutboxMessage:
    """The user who asked gets the reset link with its one-time token."""
    return _token_email(EmailTemplate.PASSWORD_RESET, event, message_id)


def verification_email(event: EmailVerificationRequested, message_id: UUID) -> OutboxMessage:
    """The user gets the verification link with its one-time token."""
    return _token_email(EmailTemplate.VERIFY_EMAIL, event, message_id)


DEFAULT_RULES: Mapping[type[DomainEvent], Sequence[MessageRule[Any]]] = MappingProxyType(
    {
        UserCreated: (welcome_email,),
        PasswordResetRequested: (password_reset_email,),
        EmailVerificationRequested: (verification_email,),
    }
)


class OutboxPolicy:
    """Maps events to outbox messages by their rules: those of the event's class, then of its base classes."""

    def __init__(
        self, ids: IdGenerator, rules: Mapping[type[DomainEvent], Sequence[MessageRule[Any]]] = DEFAULT_RULES
    ) -> None:
        self._ids = ids
        self._rules = rules

    def messages_for(self, events: Iterable[DomainEvent]) -> list[OutboxMessage]:
        """The messages the events ask for, in event order (each with a new id)."""
        messages = (
            rule(event, self._ids.new_id())
            for event in events
            for cls in type(event).__mro__
            for rule in self._rules.get(cls, ())
        )
        return [message for message in messages if message is not None]


class OutboxWriter:
    """Before-commit handler: write the messages the committed events ask for into ``uow.outbox``.

    It runs inside the transaction, so the messages commit with the change or not at all; if writing them fails, the
    commit fails with it.
    """

    def __init__(self, policy: OutboxPolicy) -> None:
        self._policy = policy

    async def __call__(self, uow: UnitOfWork, events: Sequence[DomainEvent]) -> None:
        messages = self._policy.messages_for(events)
        if messages:
            await uow.outbox.add(messages)
