"""The tenants repository port."""

from __future__ import annotations

from abc import ABC, abstractmethod
from uuid import UUID

from keel.application.ports.repository import Repository
from keel.domain.tenants import Tenant, TenantSlug


class TenantRepository(Repository[Tenant], ABC):
    """Tenants, stored with a unique slug. Implementations subclass this and define the abstract methods."""

    async def add(self, tenant: Tenant) -> None:
        """Store a new tenant. ``TenantSlugTaken`` when the slug is taken — here or at commit."""
        await self._add(tenant)
        self._remember([tenant])

    @abstractmethod
    async def get(self, tenant_id: UUID) -> Tenant | None: ...

    @abstractmethod
    async def get_by_slug(self, slug: TenantSlug) -> Tenant | None: ...

    @abstractmethod
    async def _add(self, tenant: Tenant) -> None: ...
