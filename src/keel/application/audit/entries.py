"""Audit entries and the port that stores and finds them in the unit of work's transaction."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final
from uuid import UUID

from keel.application.audit.context import ActorKind
from keel.application.pagination import Cursor
from keel.domain.events import FieldChange

AUDIT_SORT: Final = "-id"
"""The audit log's only order: newest first by id (UUIDv7, so by time), the order a cursor belongs to."""


@dataclass(frozen=True, kw_only=True, slots=True)
class AuditEntry:
    id: UUID
    tenant_id: UUID
    occurred_at: datetime
    action: str
    """``<entity type>.<what happened>``, e.g. ``user.updated``."""
    entity_type: str
    entity_id: UUID
    actor_kind: ActorKind
    actor_id: UUID | None
    changes: tuple[FieldChange, ...]
    """The changed attributes with their values before and after; never a secret."""
    request_id: str | None
    ip: str | None
    user_agent: str | None


@dataclass(frozen=True, kw_only=True, slots=True)
class AuditQuery:
    """Filters of a page of a tenant's audit entries, newest first; ``cursor`` continues after a previous page."""

    entity_id: UUID | None = None
    actor_id: UUID | None = None
    action: str | None = None
    cursor: Cursor | None = None
    limit: int = 50


class AuditLog(ABC):
    """Audit entries: written in the unit of work's transaction, read tenant by tenant."""

    @abstractmethod
    async def add(self, entries: Sequence[AuditEntry]) -> None:
        """Store the entries in a bounded number of statements."""

    @abstractmethod
    async def find(self, tenant_id: UUID, query: AuditQuery, *, limit: int) -> Sequence[AuditEntry]:
        """Up to ``limit`` entries of the tenant matching ``query``, newest first, after ``query.cursor`` if given."""
