"""An audit log in memory: entries staged in the transaction, visible in ``InMemoryDatabase.audit_events`` once
committed, and found newest first like the SQL one."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from fakes.database import InMemoryDatabase, Transaction
from keel.application.audit import AuditEntry, AuditLog, AuditQuery


class InMemoryAuditLog(AuditLog):
    def __init__(self, database: InMemoryDatabase, tx: Transaction) -> None:
        self._db, self._tx = database, tx

    async def add(self, entries: Sequence[AuditEntry]) -> None:
        self._db.statements["audit_events.add"] += 1
        self._tx.audit_events.extend(entries)

    async def find(self, tenant_id: UUID, query: AuditQuery, *, limit: int) -> Sequence[AuditEntry]:
        self._db.statements["audit_events.find"] += 1
        found = [
            entry
            for entry in [*self._db.audit_events, *self._tx.audit_events]
            if entry.tenant_id == tenant_id
            and (query.entity_id is None or entry.entity_id == query.entity_id)
            and (query.actor_id is None or entry.actor_id == query.actor_id)
            and (query.action is None or entry.action == query.action)
            and (query.cursor is None or entry.id < query.cursor.id)
        ]
        return sorted(found, key=lambda entry: entry.id, reverse=True)[:limit]
