"""The ``email_deliveries`` table: one row per message, keyed by its ``message_id``, from request to sent or failed.

Schema choices:

* The primary key is the message id the requester chose, so recording a delivery twice is one
  ``INSERT ... ON CONFLICT DO NOTHING``, and concurrent attempts of one message meet on one row
  (``SELECT ... FOR UPDATE``).
* ``recipient_user_id`` has no foreign key: users are soft-deleted (a deleted recipient is a reason to fail, recorded
  here), and the record of what was sent outlives whatever happens to them.
* ``sent`` and only ``sent`` carries ``sent_at`` and ``provider_message_id``: a CHECK keeps the row consistent.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Final, cast

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Table, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from keel.application.email.ports import DeliveryStatus
from keel.infrastructure.database.models.base import Base

# Derived from the application's enum: a new status shows as drift until a migration widens the constraint.
_STATUSES = ", ".join(f"'{status.value}'" for status in DeliveryStatus)

EMAIL_DELIVERY_TENANT_FOREIGN_KEY: Final = "fk_email_deliveries_tenant_id_tenants"


class EmailDeliveryRecord(Base):
    __tablename__ = "email_deliveries"
    __table_args__ = (
        CheckConstraint(f"status IN ({_STATUSES})", name="status_known"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        CheckConstraint(
            "(status = 'sent') = (sent_at IS NOT NULL AND provider_message_id IS NOT NULL)", name="sent_recorded"
        ),
        # Purging a user erases the address of the records sent to them: found by recipient, records with one only.
        Index(
            "ix_email_deliveries_recipient_user_id",
            "recipient_user_id",
            postgresql_where=text("to_address IS NOT NULL"),
        ),
        {"comment": "One row per email message: its recipient, attempts, last error and outcome."},
    )

    message_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="RESTRICT", name=EMAIL_DELIVERY_TENANT_FOREIGN_KEY)
    )
    recipient_user_id: Mapped[uuid.UUID | None]
    to_address: Mapped[str | None] = mapped_column(Text)
    template: Mapped[str] = mapped_column(Text)
    locale: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int]
    last_error: Mapped[str | None] = mapped_column(Text)
    provider_message_id: Mapped[str | None] = mapped_column(Text)
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


email_deliveries_table: Final = cast(Table, EmailDeliveryRecord.__table__)
"""The table itself, for the repository's Core statements."""
