"""The ``send_email`` message: an ``EmailRequest`` as an outbox payload, and back.

The payload is the request's fields as JSON (ids as strings), e.g.
``{"message_id": "...", "template": "welcome", "tenant_id": "...", "recipient_user_id": "...", "to": null,
"context": {}}``. The message id and the request's ``message_id`` are the same UUID, so the email can be traced to the
row that asked for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from uuid import UUID

from keel.application.email.ports import EmailRequest, EmailTemplate
from keel.application.outbox.messages import JsonValue, MessageKind, OutboxMessage


class InvalidOutboxPayload(ValueError):
    """A stored payload does not describe a valid message; the message names the field."""


def send_email_message(request: EmailRequest, *, created_at: datetime) -> OutboxMessage:
    """The outbox message asking for ``request`` to be delivered; its id is ``request.message_id``."""
    return OutboxMessage(
        id=request.message_id,
        kind=MessageKind.SEND_EMAIL,
        tenant_id=request.tenant_id,
        payload=email_request_payload(request),
        created_at=created_at,
    )


def email_request_payload(request: EmailRequest) -> dict[str, JsonValue]:
    return {
        "message_id": str(request.message_id),
        "template": request.template.value,
        "tenant_id": str(request.tenant_id),
        "recipient_user_id": None if request.recipient_user_id is None else str(request.recipient_user_id),
        "to": request.to,
        "context": dict(request.context),
    }


def email_request_from_payload(payload: Mapping[str, JsonValue]) -> EmailRequest:
    """The request a ``send_email`` payload describes; ``InvalidOutboxPayload`` naming the first bad field."""
    recipient = _optional_uuid(payload, "recipient_user_id")
    to = payload.get("to")
    if to is not None and not isinstance(to, str):
        raise InvalidOutboxPayload(f"send_email payload: 'to' must be a string or null, not {type(to).__name__}")
    if recipient is None and not to:
        raise InvalidOutboxPayload("send_email payload: 'recipient_user_id' or 'to' is required")
    return EmailRequest(
        message_id=_uuid(payload, "message_id"),
        template=_template(payload),
        tenant_id=_uuid(payload, "tenant_id"),
        recipient_user_id=recipient,
        to=to,
        context=_context(payload),
    )


def _uuid(payload: Mapping[str, JsonValue], name: str) -> UUID:
    value = payload.get(name)
    if value is None:
        raise InvalidOutboxPayload(f"send_email payload: {name!r} is required")
    parsed = _optional_uuid(payload, name)
    assert parsed is not None
    return parsed


def _optional_uuid(payload: Mapping[str, JsonValue], name: str) -> UUID | None:
    value = payload.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidOutboxPayload(f"send_email payload: {name!r} must be a UUID string, not {type(value).__name__}")
    try:
        return UUID(value)
    except ValueError:
        raise InvalidOutboxPayload(f"send_email payload: {name!r} is not a UUID: {value!r}") from None


def _template(payload: Mapping[str, JsonValue]) -> EmailTemplate:
    value = payload.get("template")
    if value is None:
        raise InvalidOutboxPayload("send_email payload: 'template' is required")
    try:
        return EmailTemplate(str(value))
    except ValueError:
        known = ", ".join(template.value for template in EmailTemplate)
        raise InvalidOutboxPayload(f"send_email payload: unknown template {value!r} (known: {known})") from None


def _context(payload: Mapping[str, JsonValue]) -> dict[str, str]:
    value = payload.get("context", {})
    if not isinstance(value, dict) or not all(isinstance(item, str) for item in value.values()):
        raise InvalidOutboxPayload("send_email payload: 'context' must be an object of strings")
    return {key: str(item) for key, item in value.items()}
