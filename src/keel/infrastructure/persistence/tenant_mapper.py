"""Tenants to ``tenants`` rows and back, field by field."""

from __future__ import annotations

from sqlalchemy import RowMapping

from keel.domain.tenants import Tenant, TenantSlug, TenantStatus


def tenant_from_row(row: RowMapping) -> Tenant:
    """The tenant a row stores, without pending events (it was loaded, nothing happened to it yet)."""
    return Tenant(
        id=row["id"],
        slug=TenantSlug(row["slug"]),
        name=row["name"],
        status=TenantStatus(row["status"]),
        created_at=row["created_at"],
    )


def tenant_values(tenant: Tenant) -> dict[str, object]:
    """The column values of the tenant's row."""
    return {
        "id": tenant.id,
        "slug": tenant.slug.value,
        "name": tenant.name,
        "status": tenant.status.value,
        "created_at": tenant.created_at,
    }
