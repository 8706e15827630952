"""The ``users`` table: a tenant's users, soft-deleted in place, with a version for compare-and-set updates.

Schema choices:

* ``roles`` is ``text[]`` with a CHECK that it is a non-empty subset of the domain's roles. Unlike a PostgreSQL enum
  array, widening it is an ordinary constraint swap inside a transaction (``ALTER TYPE ... ADD VALUE`` is not
  reversible and cannot be followed by its use in the same transaction), and ``roles @> ARRAY['owner']`` reads plainly.
* ``email`` and ``username`` use the "C" collation: byte order, which is the order of the keyset pagination cursors
  (Python's string order for these ASCII values), the same on every server, and immune to locale upgrades that would
  silently reorder an index.
* Email and username are unique per tenant among users that are not deleted (partial unique indexes): deleting a user
  frees them, and restoring one whose email or username was taken since fails on the index.
* One index per list order, ``(tenant_id, <sort key>, id)``, serves the keyset pagination in both directions.
* ``ix_users_deleted_at`` (partial: deleted users only) lets maintenance find the users deleted before the retention's
  cut-off, oldest first, without reading the live ones.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Final, cast

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Table, Text, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from keel.domain.users import Role, UserStatus
from keel.infrastructure.database.models.base import Base

# Derived from the domain's enums: a new role or status shows as drift until a migration widens the constraint.
_ROLES = ", ".join(f"'{role.value}'" for role in Role)
_STATUSES = ", ".join(f"'{status.value}'" for status in UserStatus)

EMAIL_UNIQUE_INDEX: Final = "uq_users_tenant_id_email_active"
USERNAME_UNIQUE_INDEX: Final = "uq_users_tenant_id_username_active"
TENANT_FOREIGN_KEY: Final = "fk_users_tenant_id_tenants"


class UserRecord(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"cardinality(roles) > 0 AND roles <@ ARRAY[{_ROLES}]::text[]", name="roles_known"),
        CheckConstraint(f"status IN ({_STATUSES})", name="status_known"),
        CheckConstraint("version >= 1", name="version_positive"),
        Index(EMAIL_UNIQUE_INDEX, "tenant_id", "email", unique=True, postgresql_where=text("deleted_at IS NULL")),
        Index(USERNAME_UNIQUE_INDEX, "tenant_id", "username", unique=True, postgresql_where=text("deleted_at IS NULL")),
        Index("ix_users_tenant_id_created_at_id", "tenant_id", "created_at", "id"),
        Index("ix_users_tenant_id_email_id", "tenant_id", "email", "id"),
        Index("ix_users_tenant_id_username_id", "tenant_id", "username", "id"),
        Index("ix_users_deleted_at", "deleted_at", postgresql_where=text("deleted_at IS NOT NULL")),
        {"comment": "Users of a tenant; deleted_at marks a soft deletion, version counts changes."},
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="RESTRICT", name=TENANT_FOREIGN_KEY))
    email: Mapped[str] = mapped_column(Text(collation="C"))
    username: Mapped[str] = mapped_column(Text(collation="C"))
    full_name: Mapped[str] = mapped_column(Text)
    roles: Mapped[list[str]] = mapped_column(ARRAY(Text))
    status: Mapped[str] = mapped_column(Text)
    email_verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    locale: Mapped[str] = mapped_column(Text)
    timezone: Mapped[str] = mapped_column(Text)
    password_hash: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int]


users_table: Final = cast(Table, UserRecord.__table__)
"""The table itself, for the repositories' Core statements."""
