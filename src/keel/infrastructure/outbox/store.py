"""The relay's view of the ``outbox`` table: claim undispatched rows, record the outcome, measure the lag.

``claim`` opens one transaction and locks up to ``limit`` rows that are undispatched and available, skipping rows
another relay holds (``FOR UPDATE SKIP LOCKED``): concurrent relays take disjoint rows and never wait for each other.
The caller records each claimed row as dispatched or deferred; leaving the block writes both kinds in at most two
statements and commits. If the block raises, the transaction rolls back and the rows are untouched, to be claimed again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final
from uuid import UUID

from sqlalchemy import DateTime, Text, Uuid, any_, bindparam, func, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from keel.infrastructure.database.models.outbox import outbox_table
from keel.infrastructure.persistence.error_translation import translate_database_errors

_outbox = outbox_table.c

LAST_ERROR_MAX_CHARS: Final = 2000

_DEFER = text(
    "UPDATE outbox SET attempts = outbox.attempts + 1, last_error = deferred.last_error,"
    " available_at = deferred.available_at"
    " FROM unnest(CAST(:ids AS uuid[]), CAST(:errors AS text[]), CAST(:available_ats AS timestamptz[]))"
    " AS deferred(id, last_error, available_at)"
    " WHERE outbox.id = deferred.id"
).bindparams(
    bindparam("ids", type_=ARRAY(Uuid())),
    bindparam("errors", type_=ARRAY(Text())),
    bindparam("available_ats", type_=ARRAY(DateTime(timezone=True))),
)


_WITHOUT_TOKEN: Final = text("payload #- '{context,token}'")


@dataclass(frozen=True, slots=True)
class PendingMessage:
    """A claimed row: what to dispatch, and how many attempts it already had."""

    id: UUID
    kind: str
    tenant_id: UUID
    payload: Mapping[str, Any]
    created_at: datetime
    attempts: int


@dataclass(frozen=True, slots=True)
class OutboxLag:
    pending: int
    """Rows not dispatched yet (available now or backed off)."""
    oldest_created_at: datetime | None
    """Creation time of the oldest of them; ``None`` when there is none."""

    def oldest_age_seconds(self, now: datetime) -> float:
        """How long the oldest undispatched row has waited (0 when there is none)."""
        if self.oldest_created_at is None:
            return 0.0
        return max((now - self.oldest_created_at).total_seconds(), 0.0)


@dataclass
class ClaimedBatch:
    messages: list[PendingMessage]
    _dispatched: list[UUID] = field(default_factory=list)
    _deferred: list[tuple[UUID, str, datetime]] = field(default_factory=list)

    def mark_dispatched(self, message_id: UUID) -> None:
        self._dispatched.append(message_id)

    def defer(self, message_id: UUID, *, error: str, until: datetime) -> None:
        """Count a failed attempt, keep ``error`` as the row's ``last_error`` and hide it until ``until``."""
        self._deferred.append((message_id, error[:LAST_ERROR_MAX_CHARS], until))

    async def _record(self, session: AsyncSession, now: datetime) -> None:
        if self._dispatched:
            await session.execute(
                update(outbox_table)
                .where(_outbox.id == any_(bindparam("dispatched_ids", self._dispatched, type_=ARRAY(Uuid()))))
                # A one-time token in an email's context (a reset or verification link) is not kept once handed on.
                .values(dispatched_at=now, attempts=_outbox.attempts + 1, payload=_WITHOUT_TOKEN)
            )
        if self._deferred:
            ids, errors, available_ats = (list(column) for column in zip(*self._deferred, strict=True))
            await session.execute(_DEFER, {"ids": ids, "errors": errors, "available_ats": available_ats})


class SqlAlchemyOutboxStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    @asynccontextmanager
    async def claim(self, limit: int, now: datetime) -> AsyncIterator[ClaimedBatch]:
        """Lock up to ``limit`` rows available at ``now``, oldest first; record their outcomes, commit on exit."""
        statement = (
            select(_outbox.id, _outbox.kind, _outbox.tenant_id, _outbox.payload, _outbox.created_at, _outbox.attempts)
            .where(_outbox.dispatched_at.is_(None), _outbox.available_at <= now)
            .order_by(_outbox.available_at, _outbox.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        async with self._sessions() as session:  # closing the session rolls back whatever was not committed
            with translate_database_errors():
                rows = (await session.execute(statement)).mappings().all()
            batch = ClaimedBatch([PendingMessage(**row) for row in rows])
            yield batch
            with translate_database_errors():
                await batch._record(session, now)
                await session.commit()

    async def lag(self) -> OutboxLag:
        """How many rows wait, and since when (one query over the partial index of undispatched rows)."""
        statement = select(func.count(), func.min(_outbox.created_at)).where(_outbox.dispatched_at.is_(None))
        with translate_database_errors():
            async with self._sessions() as session:
                pending, oldest = (await session.execute(statement)).one()
        return OutboxLag(pending=int(pending), oldest_created_at=oldest)
