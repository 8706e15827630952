"""The ``tenants`` table: one row per organisation, found by id or by its unique slug at log-in."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Final, cast

from sqlalchemy import CheckConstraint, DateTime, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from keel.domain.tenants import TenantStatus
from keel.infrastructure.database.models.base import Base

_STATUSES = ", ".join(f"'{status.value}'" for status in TenantStatus)

TENANT_SLUG_UNIQUE: Final = "uq_tenants_slug"


class TenantRecord(Base):
    __tablename__ = "tenants"
    __table_args__ = (
        # Derived from the domain's enum: a new status shows as drift until a migration widens the constraint.
        CheckConstraint(f"status IN ({_STATUSES})", name="status_known"),
        UniqueConstraint("slug", name=TENANT_SLUG_UNIQUE),
        {"comment": "Organisations; every user belongs to exactly one."},
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    # "C" collation: byte order, identical on every server and immune to operating-system locale upgrades.
    slug: Mapped[str] = mapped_column(Text(collation="C"))
    name: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


tenants_table: Final = cast(Table, TenantRecord.__table__)
"""The table itself, for the repositories' Core statements."""
