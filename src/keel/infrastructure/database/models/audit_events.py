"""The ``audit_events`` table: one row per audited change, written in the change's own transaction.

Schema choices:

* Append-only: rows are inserted, never updated; nothing in the service deletes them (retention is an operator's job).
* ``changes`` is ``jsonb``: ``{"<attribute>": {"before": ..., "after": ...}}`` of the changed attributes only.
* ``ip`` is ``inet``: validated by PostgreSQL, and ranges can be queried (``ip << '10.0.0.0/8'``).
* The listing is newest first by ``id`` (a UUIDv7, so in time order) within a tenant, optionally for one entity, one
  actor or one action: one index per filter, each ending in ``id`` so a page is an index range scan.
* No foreign keys: an entry outlives what it describes, and writing it must never contend with the rows it names.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Final, cast

from sqlalchemy import CheckConstraint, DateTime, Index, Table, Text
from sqlalchemy.dialects.postgresql import INET, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from keel.application.audit import ActorKind
from keel.infrastructure.database.models.base import Base

# Derived from the application's enum: a new kind shows as drift until a migration widens the constraint.
_ACTOR_KINDS = ", ".join(f"'{kind.value}'" for kind in ActorKind)


class AuditEventRecord(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        CheckConstraint(f"actor_kind IN ({_ACTOR_KINDS})", name="actor_kind_known"),
        Index("ix_audit_events_tenant_id_id", "tenant_id", "id"),
        Index("ix_audit_events_tenant_id_entity_id_id", "tenant_id", "entity_id", "id"),
        Index("ix_audit_events_tenant_id_actor_id_id", "tenant_id", "actor_id", "id"),
        Index("ix_audit_events_tenant_id_action_id", "tenant_id", "action", "id"),
        {"comment": "Who changed what and when, written with the change; append-only."},
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    tenant_id: Mapped[uuid.UUID]
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    action: Mapped[str] = mapped_column(Text)
    entity_type: Mapped[str] = mapped_column(Text)
    entity_id: Mapped[uuid.UUID]
    actor_kind: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[uuid.UUID | None]
    changes: Mapped[dict[str, Any]] = mapped_column(JSONB)
    request_id: Mapped[str | None] = mapped_column(Text)
    ip: Mapped[str | None] = mapped_column(INET)
    user_agent: Mapped[str | None] = mapped_column(Text)


audit_events_table: Final = cast(Table, AuditEventRecord.__table__)
"""The table itself, for the audit adapter's Core statements."""
