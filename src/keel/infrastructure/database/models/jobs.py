"""The ``jobs`` table (one row per import or export) and ``job_chunks`` (an import's ledger, one row per chunk done).

Schema choices:

* ``kind`` and ``status`` are text with CHECKs derived from the application's enums (a new value shows as drift until a
  migration widens them); a CHECK also keeps ``finished_at`` set exactly on final statuses.
* Progress is four integer columns updated in the transaction of each chunk; ``progress_at`` is when the job last moved,
  meant for finding stalled jobs (partial index over running jobs).
* ``job_chunks`` is keyed by (job, chunk index): recording a chunk twice is a primary-key violation that rolls back the
  second attempt's users. ``errors`` holds the chunk's row errors as ``[[line, field, error], ...]``, read back in chunk
  order to write the error report. It cascades with its job.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Final, cast

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Index, Table, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from keel.application.jobs.job import FINAL_STATUSES, JobKind, JobStatus
from keel.infrastructure.database.models.base import Base

_KINDS = ", ".join(f"'{kind.value}'" for kind in JobKind)
_STATUSES = ", ".join(f"'{status.value}'" for status in JobStatus)
_FINAL = ", ".join(f"'{status.value}'" for status in sorted(FINAL_STATUSES))


class JobRecord(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_KINDS})", name="kind_known"),
        CheckConstraint(f"status IN ({_STATUSES})", name="status_known"),
        CheckConstraint(f"(status IN ({_FINAL})) = (finished_at IS NOT NULL)", name="finished_when_final"),
        CheckConstraint(
            "processed >= 0 AND succeeded >= 0 AND failed >= 0 AND processed = succeeded + failed",
            name="progress_consistent",
        ),
        Index("ix_jobs_progress_at_running", "progress_at", postgresql_where=text("status = 'running'")),
        {"comment": "Imports and exports: status, progress and the files of each."},
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[uuid.UUID]
    parameters: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    total: Mapped[int | None] = mapped_column(BigInteger)
    processed: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    succeeded: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    failed: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    input_key: Mapped[str | None] = mapped_column(Text)
    result_key: Mapped[str | None] = mapped_column(Text)
    error_report_key: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    progress_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class JobChunkRecord(Base):
    __tablename__ = "job_chunks"
    __table_args__ = ({"comment": "What each chunk of an import did, recorded with the users it created."},)

    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    chunk_index: Mapped[int] = mapped_column(primary_key=True)
    next_offset: Mapped[int] = mapped_column(BigInteger)
    next_line: Mapped[int] = mapped_column(BigInteger)
    done: Mapped[bool]
    succeeded: Mapped[int]
    failed: Mapped[int]
    errors: Mapped[list[Any]] = mapped_column(JSONB)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


jobs_table: Final = cast(Table, JobRecord.__table__)
job_chunks_table: Final = cast(Table, JobChunkRecord.__table__)
