"""Tenants in PostgreSQL: the ``TenantRepository`` port over the unit of work's session."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import Executable, Result, insert, select

from keel.application.tenants import TenantRepository
from keel.domain.tenants import Tenant, TenantSlug
from keel.infrastructure.database.models.tenants import tenants_table
from keel.infrastructure.persistence.error_translation import translate_database_errors
from keel.infrastructure.persistence.statements import Statements
from keel.infrastructure.persistence.tenant_mapper import tenant_from_row, tenant_values

_tenants = tenants_table.c


class SqlAlchemyTenantRepository(TenantRepository):
    """One statement per method; a taken slug raises ``TenantSlugTaken`` from ``add`` itself."""

    def __init__(self, session: Statements) -> None:
        super().__init__()
        self._session = session

    async def get(self, tenant_id: UUID) -> Tenant | None:
        return await self._one(select(tenants_table).where(_tenants.id == tenant_id))

    async def get_by_slug(self, slug: TenantSlug) -> Tenant | None:
        return await self._one(select(tenants_table).where(_tenants.slug == slug.value))

    async def _add(self, tenant: Tenant) -> None:
        await self._execute(insert(tenants_table).values(tenant_values(tenant)))

    async def _one(self, statement: Executable) -> Tenant | None:
        row = (await self._execute(statement)).mappings().one_or_none()
        return tenant_from_row(row) if row is not None else None

    async def _execute(self, statement: Executable) -> Result[Any]:
        with translate_database_errors():
            return await self._session.execute(statement)
