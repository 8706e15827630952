"""The outbox policy: a created user asks for a welcome email; other events ask for nothing; rules are easy to add;
the ``send_email`` payload round-trips and refuses what it cannot read, naming the field."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from uuid import UUID

import pytest

from keel.application.email.ports import EmailRequest, EmailTemplate
from keel.application.outbox import (
    DEFAULT_RULES,
    InvalidOutboxPayload,
    MessageKind,
    OutboxMessage,
    OutboxPolicy,
    email_request_from_payload,
    send_email_message,
)
from keel.domain.events import DomainEvent
from keel.domain.ids import Uuid7Generator
from keel.domain.tenants import TenantCreated
from keel.domain.users import UserCreated, UserDeleted, UserEvent, UserUpdated

NOW = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


def user_created(**fields: object) -> UserCreated:
    values: dict[str, object] = {
        "occurred_at": NOW,
        "user_id": uuid.uuid4(),
        "tenant_id": uuid.uuid4(),
        "version": 1,
        "email": "ada@example.com",
        "username": "ada",
    } | fields
    return UserCreated(**values)  # type: ignore[arg-type]


def test_a_created_user_asks_for_one_welcome_email_naming_the_user_by_id() -> None:
    event = user_created()

    [message] = OutboxPolicy(Uuid7Generator()).messages_for([event])

    assert message.kind is MessageKind.SEND_EMAIL
    assert message.tenant_id == event.tenant_id
    assert message.created_at == event.occurred_at
    request = email_request_from_payload(message.payload)
    assert request == EmailRequest(
        message_id=message.id,
        template=EmailTemplate.WELCOME,
        tenant_id=event.tenant_id,
        recipient_user_id=event.user_id,
    )
    assert "ada@example.com" not in str(message.payload)  # ids only: the address is read when the email is sent


def test_a_user_created_without_the_welcome_email_asks_for_nothing() -> None:
    quiet, greeted = user_created(welcome_email=False), user_created(email="bob@example.com", username="bob")

    messages = OutboxPolicy(Uuid7Generator()).messages_for([quiet, greeted])

    assert [email_request_from_payload(m.payload).recipient_user_id for m in messages] == [greeted.user_id]


def test_each_message_gets_a_new_time_ordered_id() -> None:
    events = [user_created() for _ in range(3)]

    messages = OutboxPolicy(Uuid7Generator()).messages_for(events)

    assert [email_request_from_payload(m.payload).recipient_user_id for m in messages] == [e.user_id for e in events]
    assert [m.id for m in messages] == sorted(m.id for m in messages)
    assert all(m.id.version == 7 for m in messages)


def test_events_without_a_rule_ask_for_nothing() -> None:
    tenant_id, user_id = uuid.uuid4(), uuid.uuid4()
    events: list[DomainEvent] = [
        TenantCreated(occurred_at=NOW, tenant_id=tenant_id, slug="acme"),
        UserUpdated(occurred_at=NOW, user_id=user_id, tenant_id=tenant_id, version=2, changed_fields=("full_name",)),
        UserDeleted(occurred_at=NOW, user_id=user_id, tenant_id=tenant_id, version=3),
    ]

    assert OutboxPolicy(Uuid7Generator()).messages_for(events) == []


def test_a_rule_added_for_a_base_class_applies_to_its_subclasses_after_their_own() -> None:
    def farewell(event: UserDeleted, message_id: UUID) -> OutboxMessage:
        request = EmailRequest(
            message_id=message_id, template=EmailTemplate.JOB_FINISHED, tenant_id=event.tenant_id, to="ops@example.com"
        )
        return send_email_message(request, created_at=event.occurred_at)

    def audit_note(event: UserEvent, message_id: UUID) -> OutboxMessage:
        request = EmailRequest(
            message_id=message_id, template=EmailTemplate.JOB_FINISHED, tenant_id=event.tenant_id, to="audit@x.example"
        )
        return send_email_message(request, created_at=event.occurred_at)

    policy = OutboxPolicy(Uuid7Generator(), {**DEFAULT_RULES, UserDeleted: (farewell,), UserEvent: (audit_note,)})
    deleted = UserDeleted(occurred_at=NOW, user_id=uuid.uuid4(), tenant_id=uuid.uuid4(), version=2)

    messages = policy.messages_for([deleted, user_created()])

    recipients = [email_request_from_payload(m.payload) for m in messages]
    assert [(r.template, r.to) for r in recipients] == [
        (EmailTemplate.JOB_FINISHED, "ops@example.com"),
        (EmailTemplate.JOB_FINISHED, "audit@x.example"),
        (EmailTemplate.WELCOME, None),
        (EmailTemplate.JOB_FINISHED, "audit@x.example"),
    ]


def test_a_send_email_payload_round_trips_every_field() -> None:
    request = EmailRequest(
        message_id=uuid.uuid4(),
        template=EmailTemplate.PASSWORD_RESET,
        tenant_id=uuid.uuid4(),
        recipient_user_id=uuid.uuid4(),
        to="ada@example.com",
        context={"token": "abc", "expires_in": "15 minutes"},
    )

    message = send_email_message(request, created_at=NOW)

    assert message.id == request.message_id
    assert email_request_from_payload(message.payload) == request


def _payload(**changes: object) -> dict[str, object]:
    request = EmailRequest(
        message_id=uuid.uuid4(), template=EmailTemplate.WELCOME, tenant_id=uuid.uuid4(), recipient_user_id=uuid.uuid4()
    )
    return dict(send_email_message(request, created_at=NOW).payload) | changes


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"message_id": None}, "'message_id' is required"),
        ({"message_id": "not-a-uuid"}, "'message_id' is not a UUID"),
        ({"tenant_id": 42}, "'tenant_id' must be a UUID string, not int"),
        ({"template": "newsletter"}, "unknown template 'newsletter' (known: welcome, verify_email"),
        ({"template": None}, "'template' is required"),
        ({"recipient_user_id": None, "to": None}, "'recipient_user_id' or 'to' is required"),
        ({"to": ["a@example.com"]}, "'to' must be a string or null, not list"),
        ({"context": {"count": 3}}, "'context' must be an object of strings"),
    ],
)
def test_an_unreadable_send_email_payload_names_the_field(changes: dict[str, object], complaint: str) -> None:
    with pytest.raises(InvalidOutboxPayload) as raised:
        email_request_from_payload(_payload(**changes))  # type: ignore[arg-type]
    assert complaint in str(raised.value)
