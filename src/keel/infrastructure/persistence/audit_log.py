"""The audit log in PostgreSQL: batched inserts on the unit of work's session, and the tenant's listing."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import insert, select
from sqlalchemy.engine import RowMapping

from keel.application.audit import ActorKind, AuditEntry, AuditLog, AuditQuery
from keel.domain.events import FieldChange, FieldValue
from keel.infrastructure.database.models.audit_events import audit_events_table
from keel.infrastructure.persistence.error_translation import translate_database_errors
from keel.infrastructure.persistence.statements import Statements

_audit = audit_events_table.c


class SqlAlchemyAuditLog(AuditLog):
    def __init__(self, session: Statements) -> None:
        self._session = session

    async def add(self, entries: Sequence[AuditEntry]) -> None:
        if not entries:
            return
        # One prepared INSERT for all rows in one round trip (an executemany), its compiled form cached.
        with translate_database_errors():
            await self._session.execute(insert(audit_events_table), [_row(entry) for entry in entries])

    async def find(self, tenant_id: UUID, query: AuditQuery, *, limit: int) -> Sequence[AuditEntry]:
        statement = select(audit_events_table).where(_audit.tenant_id == tenant_id)
        if query.entity_id is not None:
            statement = statement.where(_audit.entity_id == query.entity_id)
        if query.actor_id is not None:
            statement = statement.where(_audit.actor_id == query.actor_id)
        if query.action is not None:
            statement = statement.where(_audit.action == query.action)
        if query.cursor is not None:
            statement = statement.where(_audit.id < query.cursor.id)
        statement = statement.order_by(_audit.id.desc()).limit(limit)
        with translate_database_errors():
            rows = (await self._session.execute(statement)).mappings().all()
        return [_entry(row) for row in rows]


def _row(entry: AuditEntry) -> dict[str, object]:
    return {
        "id": entry.id,
        "tenant_id": entry.tenant_id,
        "occurred_at": entry.occurred_at,
        "action": entry.action,
        "entity_type": entry.entity_type,
        "entity_id": entry.entity_id,
        "actor_kind": entry.actor_kind.value,
        "actor_id": entry.actor_id,
        "changes": {change.name: {"before": change.before, "after": change.after} for change in entry.changes},
        "request_id": entry.request_id,
        "ip": _valid_ip(entry.ip),
        "user_agent": entry.user_agent,
    }


def _valid_ip(candidate: str | None) -> str | None:
    """The address if it is one: ``inet`` refuses anything else, and failing the commit for it would lose the change."""
    if candidate is None:
        return None
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def _entry(row: RowMapping) -> AuditEntry:
    changes: dict[str, Any] = row["changes"]
    return AuditEntry(
        id=row["id"],
        tenant_id=row["tenant_id"],
        occurred_at=row["occurred_at"],
        action=row["action"],
        entity_type=row["entity_type"],
        entity_id=row["entity_id"],
        actor_kind=ActorKind(row["actor_kind"]),
        actor_id=row["actor_id"],
        changes=tuple(
            FieldChange(name, _field_value(value["before"]), _field_value(value["after"]))
            for name, value in changes.items()
        ),
        request_id=row["request_id"],
        ip=None if row["ip"] is None else str(row["ip"]),
        user_agent=row["user_agent"],
    )


def _field_value(stored: Any) -> FieldValue:
    """JSON gives lists back where tuples went in: sorted roles become a tuple of names, pairs a tuple of pairs."""
    if isinstance(stored, list):
        if all(isinstance(item, list) for item in stored):
            return tuple((str(name), str(value)) for name, value in stored)
        return tuple(str(item) for item in stored)
    value: FieldValue = stored
    return value
