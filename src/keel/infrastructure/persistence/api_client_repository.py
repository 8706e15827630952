"""API clients in PostgreSQL: the ``ApiClientRepository`` port over the unit of work's session."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import Executable, Result, func, insert, select, update

from keel.application.api_clients import ApiClientRepository
from keel.domain.api_clients import ApiClient, ApiClientNotFound
from keel.infrastructure.database.models.api_clients import api_clients_table
from keel.infrastructure.database.models.tenants import tenants_table
from keel.infrastructure.persistence.api_client_mapper import changed_client_values, client_from_row, client_values
from keel.infrastructure.persistence.error_translation import translate_database_errors
from keel.infrastructure.persistence.statements import Statements

_clients = api_clients_table.c


class SqlAlchemyApiClientRepository(ApiClientRepository):
    """One statement per method (two for the locked count: the tenant's row lock, then the count)."""

    def __init__(self, session: Statements) -> None:
        self._session = session

    async def add(self, client: ApiClient) -> None:
        await self._execute(insert(api_clients_table).values(client_values(client)))

    async def get(self, tenant_id: UUID, client_id: UUID, *, for_update: bool = False) -> ApiClient | None:
        statement = select(api_clients_table).where(_clients.tenant_id == tenant_id, _clients.id == client_id)
        if for_update:
            statement = statement.with_for_update()
        return await self._one(statement)

    async def get_by_id(self, client_id: UUID) -> ApiClient | None:
        return await self._one(select(api_clients_table).where(_clients.id == client_id))

    async def list_active(self, tenant_id: UUID) -> Sequence[ApiClient]:
        statement = (
            select(api_clients_table)
            .where(_clients.tenant_id == tenant_id, _clients.revoked_at.is_(None))
            .order_by(_clients.created_at, _clients.id)
        )
        result = await self._execute(statement)
        return [client_from_row(row) for row in result.mappings()]

    async def count_active_locked(self, tenant_id: UUID) -> int:
        # The tenant's row is the per-tenant lock. FOR NO KEY UPDATE does not conflict with the KEY SHARE locks that
        # foreign-key checks take, so users can still be added to the tenant meanwhile.
        lock = select(tenants_table.c.id).where(tenants_table.c.id == tenant_id).with_for_update(key_share=True)
        await self._execute(lock)
        count = select(func.count()).where(_clients.tenant_id == tenant_id, _clients.revoked_at.is_(None))
        return int((await self._execute(count)).scalar_one())

    async def save(self, client: ApiClient) -> None:
        statement = (
            update(api_clients_table)
            .where(_clients.id == client.id, _clients.tenant_id == client.tenant_id)
            .values(changed_client_values(client))
            .returning(_clients.id)
        )
        if (await self._execute(statement)).first() is None:
            raise ApiClientNotFound

    async def _one(self, statement: Executable) -> ApiClient | None:
        row = (await self._execute(statement)).mappings().one_or_none()
        return client_from_row(row) if row is not None else None

    async def _execute(self, statement: Executable) -> Result[Any]:
        with translate_database_errors():
            return await self._session.execute(statement)
