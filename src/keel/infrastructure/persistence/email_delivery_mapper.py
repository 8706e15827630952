"""Delivery records to ``email_deliveries`` rows and back, field by field."""

from __future__ import annotations

from sqlalchemy import RowMapping

from keel.application.email import DeliveryStatus, EmailDelivery, EmailTemplate


def delivery_from_row(row: RowMapping) -> EmailDelivery:
    return EmailDelivery(
        message_id=row["message_id"],
        tenant_id=row["tenant_id"],
        recipient_user_id=row["recipient_user_id"],
        template=EmailTemplate(row["template"]),
        status=DeliveryStatus(row["status"]),
        attempts=row["attempts"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        to_address=row["to_address"],
        locale=row["locale"],
        last_error=row["last_error"],
        provider_message_id=row["provider_message_id"],
        sent_at=row["sent_at"],
        claimed_until=row["claimed_until"],
    )


def changed_delivery_values(delivery: EmailDelivery) -> dict[str, object]:
    """The columns a delivery's transitions change (the identity and request columns never change)."""
    return {
        "to_address": delivery.to_address,
        "locale": delivery.locale,
        "status": delivery.status.value,
        "attempts": delivery.attempts,
        "last_error": delivery.last_error,
        "provider_message_id": delivery.provider_message_id,
        "claimed_until": delivery.claimed_until,
        "updated_at": delivery.updated_at,
        "sent_at": delivery.sent_at,
    }


def delivery_values(delivery: EmailDelivery) -> dict[str, object]:
    """Every column of the delivery's row."""
    return {
        "message_id": delivery.message_id,
        "tenant_id": delivery.tenant_id,
        "recipient_user_id": delivery.recipient_user_id,
        "template": delivery.template.value,
        "created_at": delivery.created_at,
        **changed_delivery_values(delivery),
    }
