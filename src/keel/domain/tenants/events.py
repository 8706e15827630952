"""Events of the tenants' life."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from keel.domain.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class TenantCreated(DomainEvent):
    tenant_id: UUID
    slug: str
