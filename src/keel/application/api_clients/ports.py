"""The ports of the API clients feature: the repository, the sealing of secrets at rest, and the nonce register.

Secrets verify HMAC signatures, so the server must be able to read them back: they cannot be hashed one way like
passwords. A ``SecretSealer`` encrypts them (authenticated encryption bound to the client's id, so a sealed secret
copied onto another client's row does not open) and the repository stores only what it sealed.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Protocol
from uuid import UUID

from keel.domain.api_clients import ApiClient


class ApiClientRepository(ABC):
    """API clients by tenant. Like every repository it never commits; the unit of work does."""

    @abstractmethod
    async def add(self, client: ApiClient) -> None: ...

    @abstractmethod
    async def get(self, tenant_id: UUID, client_id: UUID, *, for_update: bool = False) -> ApiClient | None:
        """The tenant's client, revoked or not; ``for_update`` locks it until the transaction ends."""

    @abstractmethod
    async def get_by_id(self, client_id: UUID) -> ApiClient | None:
        """Any tenant's client: for authenticating a signed request, which names the client and not the tenant."""

    @abstractmethod
    async def list_active(self, tenant_id: UUID) -> Sequence[ApiClient]:
        """The tenant's clients that are not revoked, oldest first."""

    @abstractmethod
    async def count_active_locked(self, tenant_id: UUID) -> int:
        """How many clients of the tenant are not revoked, counted under a per-tenant lock held until the
        transaction ends: concurrent creations in one tenant count one after the other."""

    @abstractmethod
    async def save(self, client: ApiClient) -> None:
        """Write the client's current state over the stored one (which must exist)."""


class UnreadableSecret(Exception):
    """A sealed secret did not open: another key sealed it, it belongs to another client, or it was altered."""


class SecretSealer(Protocol):
    def seal(self, secret: bytes, *, client_id: UUID) -> bytes:
        """``secret`` encrypted and authenticated, bound to ``client_id``."""
        ...

    def open(self, sealed: bytes, *, client_id: UUID) -> bytes:
        """The secret ``seal`` was given; ``UnreadableSecret`` if ``sealed`` was not sealed for ``client_id`` with
        this key, or was altered."""
        ...


class NonceRegister(Protocol):
    async def claim(self, key: str, *, ttl_seconds: int) -> bool:
        """Remember ``key`` for ``ttl_seconds``: ``True`` the first time, ``False`` while it is remembered.

        Atomic across processes. Raises ``DependencyUnavailable`` when the register cannot be reached (a request whose
        replay cannot be ruled out is refused).
        """
        ...
