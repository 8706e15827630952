"""Changing an API client: rotate its secret, retire the previous one, revoke it.

Each needs ``api_clients:manage``, works on an active client of the actor's tenant (another tenant's client, or a
revoked one, is ``ApiClientNotFound``), and locks it for the length of its transaction, so two concurrent changes
apply one after the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from keel.application.api_clients.credentials import IssuedCredentials, new_secret
from keel.application.api_clients.ports import SecretSealer
from keel.application.authorization import Permission, ensure_permitted
from keel.application.ports import Clock
from keel.application.unit_of_work import UnitOfWork, UnitOfWorkFactory
from keel.application.users.actor import Actor
from keel.domain.api_clients import ApiClient, ApiClientNotFound


@dataclass(frozen=True, kw_only=True)
class RotateApiClientSecretCommand:
    actor: Actor
    client_id: UUID
    rollover: timedelta | None = None
    """How long the previous secret stays valid; ``None``: the configured default."""


@dataclass(frozen=True, kw_only=True)
class ApiClientCommand:
    actor: Actor
    client_id: UUID


async def _active_client(uow: UnitOfWork, actor: Actor, client_id: UUID) -> ApiClient:
    ensure_permitted(actor, Permission.API_CLIENTS_MANAGE)
    client = await uow.api_clients.get(actor.tenant_id, client_id, for_update=True)
    if client is None or client.is_revoked:
        raise ApiClientNotFound
    return client


class RotateApiClientSecret:
    """A new secret, returned once; the old one keeps verifying for the rollover, then stops."""

    def __init__(
        self, uow: UnitOfWorkFactory, sealer: SecretSealer, clock: Clock, *, default_rollover: timedelta
    ) -> None:
        self._uow = uow
        self._sealer = sealer
        self._clock = clock
        self._default_rollover = default_rollover

    async def __call__(self, command: RotateApiClientSecretCommand) -> IssuedCredentials:
        secret = new_secret()
        sealed = self._sealer.seal(secret.encode("ascii"), client_id=command.client_id)
        rollover = self._default_rollover if command.rollover is None else command.rollover
        async with self._uow() as uow:
            client = await _active_client(uow, command.actor, command.client_id)
            rotated = client.rotated(sealed, now=self._clock.now(), rollover=rollover)
            await uow.api_clients.save(rotated)
            await uow.commit()
        return IssuedCredentials(client=rotated, secret=secret)


class RetirePreviousSecret:
    """End a rollover early: the previous secret stops verifying now. ``NoPreviousSecret`` when there is none."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, command: ApiClientCommand) -> ApiClient:
        async with self._uow() as uow:
            client = await _active_client(uow, command.actor, command.client_id)
            retired = client.previous_secret_retired(self._clock.now())
            await uow.api_clients.save(retired)
            await uow.commit()
        return retired


class RevokeApiClient:
    """The client stops authenticating at once, for good; it no longer counts towards the tenant's maximum."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, command: ApiClientCommand) -> None:
        async with self._uow() as uow:
            client = await _active_client(uow, command.actor, command.client_id)
            await uow.api_clients.save(client.revoked(self._clock.now()))
            await uow.commit()
