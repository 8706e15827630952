"""The ``api_clients`` table: a tenant's machine credentials, with their sealed secrets.

Schema choices:

* The current secret and the previous one (during a rollover) are columns of the row, not rows of their own: a client
  has at most two, and authenticating a request is one primary-key lookup. A CHECK keeps the previous secret's three
  columns set or unset together.
* Secrets are ``bytea`` sealed by the application's ``SecretSealer`` (AES-256-GCM, bound to the client id): a copy of
  the database without the key reveals none of them.
* ``created_by`` has no foreign key: the record of who made a client outlives whatever happens to that user.
* A partial index on the active clients of a tenant serves the list and the count taken at creation.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Final, cast

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, LargeBinary, Table, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from keel.infrastructure.database.models.base import Base

API_CLIENT_TENANT_FOREIGN_KEY: Final = "fk_api_clients_tenant_id_tenants"


class ApiClientRecord(Base):
    __tablename__ = "api_clients"
    __table_args__ = (
        CheckConstraint(
            "(previous_secret_sealed IS NULL) = (previous_secret_created_at IS NULL) "
            "AND (previous_secret_sealed IS NULL) = (previous_secret_expires_at IS NULL)",
            name="previous_secret_complete",
        ),
        Index(
            "ix_api_clients_tenant_id_created_at_active",
            "tenant_id",
            "created_at",
            postgresql_where=text("revoked_at IS NULL"),
        ),
        {"comment": "Machine credentials of a tenant for the partner API; secrets sealed with AES-256-GCM."},
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="RESTRICT", name=API_CLIENT_TENANT_FOREIGN_KEY)
    )
    name: Mapped[str] = mapped_column(Text)
    created_by: Mapped[uuid.UUID]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    secret_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    secret_created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    previous_secret_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    previous_secret_created_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


api_clients_table: Final = cast(Table, ApiClientRecord.__table__)
"""The table itself, for the repository's Core statements."""
