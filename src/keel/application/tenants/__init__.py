"""Tenants: creating one together with its first owner, and an operator's owner bootstrap."""

from keel.application.tenants.create_owner import OPERATOR, CreatedOwner, CreateOwner, CreateOwnerCommand
from keel.application.tenants.create_tenant import CreatedTenant, CreateTenant, CreateTenantCommand
from keel.application.tenants.ports import TenantRepository

__all__ = [
    "OPERATOR",
    "CreateOwner",
    "CreateOwnerCommand",
    "CreateTenant",
    "CreateTenantCommand",
    "CreatedOwner",
    "CreatedTenant",
    "TenantRepository",
]
