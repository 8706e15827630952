"""The transactional outbox: work a committed change asks for outside its transaction (an email, later an import).

A use case never calls Temporal or SMTP. The events its aggregates record are turned into outbox messages by the
``OutboxPolicy`` and written by the ``OutboxWriter`` — a before-commit handler of the unit of work — in the same
transaction as the change itself: both are stored, or neither. The relay in the worker process dispatches the stored
messages afterwards. See ``docs/explanation/outbox.md``.
"""

from keel.application.outbox.email import InvalidOutboxPayload, email_request_from_payload, send_email_message
from keel.application.outbox.messages import JsonValue, MessageKind, Outbox, OutboxMessage
from keel.application.outbox.policy import DEFAULT_RULES, MessageRule, OutboxPolicy, OutboxWriter, welcome_email

__all__ = [
    "DEFAULT_RULES",
    "InvalidOutboxPayload",
    "JsonValue",
    "MessageKind",
    "MessageRule",
    "Outbox",
    "OutboxMessage",
    "OutboxPolicy",
    "OutboxWriter",
    "email_request_from_payload",
    "send_email_message",
    "welcome_email",
]
