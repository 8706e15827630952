"""Tenants: the organisations that own users, isolated from one another."""

from keel.domain.tenants.errors import InvalidTenantName, InvalidTenantSlug, TenantNotFound, TenantSlugTaken
from keel.domain.tenants.events import TenantCreated
from keel.domain.tenants.slug import TenantSlug
from keel.domain.tenants.tenant import MAX_TENANT_NAME_LENGTH, Tenant, TenantStatus, clean_tenant_name

__all__ = [
    "MAX_TENANT_NAME_LENGTH",
    "InvalidTenantName",
    "InvalidTenantSlug",
    "Tenant",
    "TenantCreated",
    "TenantNotFound",
    "TenantSlug",
    "TenantSlugTaken",
    "TenantStatus",
    "clean_tenant_name",
]
