"""The ``outbox`` table: messages written in the transaction of the change that asked for them, dispatched later.

Schema choices:

* ``payload`` is ``jsonb``: a small object of ids and short values (never whole records).
* ``available_at`` is when the relay may try the row next: its creation at first, pushed back (exponential backoff) each
  time dispatching fails; ``attempts`` and ``last_error`` say why it is still there.
* ``dispatched_at`` marks a row whose workflow was started. The partial index over undispatched rows, ordered by
  ``available_at``, is all the relay's claim (``FOR UPDATE SKIP LOCKED``) and lag queries read; dispatched rows leave
  it and cost nothing there.
* No foreign key to ``tenants``: the outbox is written on every change and read by one process; its rows are
  instructions, not data others reference.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Final, cast

from sqlalchemy import CheckConstraint, DateTime, Index, Table, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from keel.application.outbox import MessageKind
from keel.infrastructure.database.models.base import Base

# Derived from the application's enum: a new kind shows as drift until a migration widens the constraint.
_KINDS = ", ".join(f"'{kind.value}'" for kind in MessageKind)

UNDISPATCHED_INDEX: Final = "ix_outbox_available_at_undispatched"


class OutboxRecord(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_KINDS})", name="kind_known"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        Index(UNDISPATCHED_INDEX, "available_at", postgresql_where=text("dispatched_at IS NULL")),
        {"comment": "Messages committed with the change that asked for them; the worker's relay dispatches them."},
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    tenant_id: Mapped[uuid.UUID]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    available_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(server_default=text("0"))
    last_error: Mapped[str | None] = mapped_column(Text)
    dispatched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


outbox_table: Final = cast(Table, OutboxRecord.__table__)
"""The table itself, for the outbox adapters' Core statements."""
