"""The email ports: rendering a template, sending a message, and the errors that decide whether a send is retried.

A message is identified by ``message_id`` from the moment it is requested (the outbox row that asked for it) to its
``Message-ID`` header, so a retried delivery is recognised as the same message: it is sent at most once where the
delivery record shows it was sent, and a resend carries the same ``Message-ID``.

``TransientEmailError`` (connection refused or lost, timeouts, SMTP 4xx) is worth retrying; ``PermanentEmailError``
(SMTP 5xx, an address the server refuses, a template that does not exist) is not. The workflow layer maps the second
to a non-retryable failure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol
from uuid import UUID


class EmailTemplate(StrEnum):
    WELCOME = "welcome"
    VERIFY_EMAIL = "verify_email"
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a template name, not a secret
    JOB_FINISHED = "job_finished"


class DeliveryStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


class EmailDeliveryError(Exception):
    """A message could not be sent."""


class TransientEmailError(EmailDeliveryError):
    """Sending failed in a way that may pass: retry later."""


class PermanentEmailError(EmailDeliveryError):
    """Sending failed in a way that will not pass by retrying."""


@dataclass(frozen=True, slots=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


@dataclass(frozen=True, slots=True)
class EmailMessage:
    message_id: UUID
    to: str
    subject: str
    text: str
    html: str
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SentEmail:
    """What the server said when it accepted the message: the ``Message-ID`` header sent and the server's reply."""

    provider_message_id: str


class EmailRenderer(Protocol):
    def render(self, template: EmailTemplate, locale: str, context: Mapping[str, object]) -> RenderedEmail:
        """Subject, plain-text and HTML parts of ``template`` in ``locale`` (falling back to the default locale)."""
        ...


class EmailSender(Protocol):
    async def send(self, message: EmailMessage) -> SentEmail:
        """Hand the message to the mail server. Raises ``TransientEmailError`` or ``PermanentEmailError``."""
        ...


@dataclass(frozen=True, slots=True)
class EmailRequest:
    """A message asked for by a durable event: ids and small values only, never whole records.

    ``recipient_user_id`` names the user the message goes to (their address and locale are read when it is sent);
    ``to`` is used when there is no such user. ``context`` holds the template's extra values (e.g. a token).
    """

    message_id: UUID
    template: EmailTemplate
    tenant_id: UUID
    recipient_user_id: UUID | None = None
    to: str | None = None
    context: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DeliveryOutcome:
    message_id: UUID
    status: DeliveryStatus
    attempts: int
    provider_message_id: str | None = None


class DeliverEmail(Protocol):
    """Render and send one requested message, recording the delivery; idempotent per ``message_id``.

    A message whose record says ``sent`` is not sent again (the outcome is returned as recorded). Raises
    ``TransientEmailError`` (after recording the attempt) when a retry may succeed and ``PermanentEmailError``
    (after recording ``failed``) when it will not.
    """

    async def __call__(self, request: EmailRequest) -> DeliveryOutcome: ...
