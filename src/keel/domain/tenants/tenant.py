"""The tenant: an organisation whose users and data are isolated from every other tenant's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from keel.domain.events import Aggregate
from keel.domain.names import display_name
from keel.domain.tenants.errors import InvalidTenantName
from keel.domain.tenants.events import TenantCreated
from keel.domain.tenants.slug import TenantSlug

MAX_TENANT_NAME_LENGTH = 200


class TenantStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


def clean_tenant_name(raw: str) -> str:
    """The name without surrounding whitespace; 1 to ``MAX_TENANT_NAME_LENGTH`` characters, no control characters."""
    name = display_name(raw, min_length=1, max_length=MAX_TENANT_NAME_LENGTH)
    if name is None:
        raise InvalidTenantName(
            f"A tenant name has 1 to {MAX_TENANT_NAME_LENGTH} printable characters.", context={"field": "name"}
        )
    return name


@dataclass(eq=False, kw_only=True)
class Tenant(Aggregate):
    slug: TenantSlug
    name: str
    status: TenantStatus
    created_at: datetime

    @classmethod
    def create(cls, *, id: UUID, slug: TenantSlug, name: str, now: datetime) -> Tenant:
        """A new active tenant; records ``TenantCreated``."""
        tenant = cls(id=id, slug=slug, name=clean_tenant_name(name), status=TenantStatus.ACTIVE, created_at=now)
        tenant.record(TenantCreated(occurred_at=now, tenant_id=id, slug=slug.value))
        return tenant

    @property
    def is_active(self) -> bool:
        return self.status is TenantStatus.ACTIVE
