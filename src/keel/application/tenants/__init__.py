"""Tenants: creating one together with its first owner."""

from keel.application.tenants.create_tenant import CreatedTenant, CreateTenant, CreateTenantCommand
from keel.application.tenants.ports import TenantRepository

__all__ = ["CreateTenant", "CreateTenantCommand", "CreatedTenant", "TenantRepository"]
