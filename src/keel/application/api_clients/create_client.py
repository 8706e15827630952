"""CreateApiClient: an owner gives their tenant a new API client; its secret is in the answer, and nowhere else."""

from __future__ import annotations

from dataclasses import dataclass

from keel.application.api_clients.credentials import IssuedCredentials, new_secret
from keel.application.api_clients.ports import SecretSealer
from keel.application.authorization import Permission, ensure_permitted
from keel.application.ports import Clock, IdGenerator
from keel.application.unit_of_work import UnitOfWorkFactory
from keel.application.users.actor import Actor
from keel.domain.api_clients import MAX_ACTIVE_CLIENTS, ApiClient, TooManyApiClients, clean_client_name


@dataclass(frozen=True, kw_only=True)
class CreateApiClientCommand:
    actor: Actor
    name: str


class CreateApiClient:
    """Needs ``api_clients:manage``. A tenant holds at most ``MAX_ACTIVE_CLIENTS`` active clients: the count is taken
    under a per-tenant lock, so two concurrent creations cannot both pass it."""

    def __init__(self, uow: UnitOfWorkFactory, sealer: SecretSealer, clock: Clock, ids: IdGenerator) -> None:
        self._uow = uow
        self._sealer = sealer
        self._clock = clock
        self._ids = ids

    async def __call__(self, command: CreateApiClientCommand) -> IssuedCredentials:
        ensure_permitted(command.actor, Permission.API_CLIENTS_MANAGE)
        name = clean_client_name(command.name)
        client_id = self._ids.new_id()
        secret = new_secret()
        sealed = self._sealer.seal(secret.encode("ascii"), client_id=client_id)
        async with self._uow() as uow:
            if await uow.api_clients.count_active_locked(command.actor.tenant_id) >= MAX_ACTIVE_CLIENTS:
                raise TooManyApiClients(
                    f"A tenant has at most {MAX_ACTIVE_CLIENTS} active API clients; revoke one first."
                )
            client = ApiClient.register(
                id=client_id,
                tenant_id=command.actor.tenant_id,
                name=name,
                created_by=command.actor.user_id,
                sealed_secret=sealed,
                now=self._clock.now(),
            )
            await uow.api_clients.add(client)
            await uow.commit()
        return IssuedCredentials(client=client, secret=secret)
