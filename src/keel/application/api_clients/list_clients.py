"""ListApiClients: the tenant's active API clients (never their secrets)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from keel.application.authorization import Permission, ensure_permitted
from keel.application.unit_of_work import UnitOfWorkFactory
from keel.application.users.actor import Actor
from keel.domain.api_clients import ApiClient


@dataclass(frozen=True, kw_only=True)
class ListApiClientsQuery:
    actor: Actor


class ListApiClients:
    """Needs ``api_clients:manage``. At most ``MAX_ACTIVE_CLIENTS`` clients, oldest first: no pagination needed."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, query: ListApiClientsQuery) -> Sequence[ApiClient]:
        ensure_permitted(query.actor, Permission.API_CLIENTS_MANAGE)
        async with self._uow(read_only=True) as uow:
            return await uow.api_clients.list_active(query.actor.tenant_id)
