"""Fakes of the API clients' secret ports: a sealer that keeps its work visible, and an in-memory nonce register."""

from __future__ import annotations

from uuid import UUID

from keel.application.api_clients import UnreadableSecret


class FakeSecretSealer:
    """ "Seals" as ``b"sealed:" + client id + b":" + secret``: readable in a test, and bound to the client like the
    real one (opening with another client id fails)."""

    def seal(self, secret: bytes, *, client_id: UUID) -> bytes:
        return b"sealed:" + client_id.bytes + b":" + secret

    def open(self, sealed: bytes, *, client_id: UUID) -> bytes:
        prefix = b"sealed:" + client_id.bytes + b":"
        if not sealed.startswith(prefix):
            raise UnreadableSecret("sealed for another client or with another key")
        return sealed[len(prefix) :]


class FakeNonceRegister:
    def __init__(self) -> None:
        self.claimed: dict[str, int] = {}

    async def claim(self, key: str, *, ttl_seconds: int) -> bool:
        if key in self.claimed:
            return False
        self.claimed[key] = ttl_seconds
        return True
