"""AuthenticateApiClient: who signed a partner request, if the signature, its time and its nonce all hold.

The presentation layer parses the ``Authorization`` header and rebuilds the string the client signed from the request
it received (``keel.sdk.signing``); this use case decides:

1. the request time is within ``max_skew`` of the server's clock (no I/O: refused first);
2. the client exists, is not revoked, and its tenant is active;
3. the signature is the HMAC-SHA256 of the string to sign under one of the client's valid secrets — the current one,
   and the previous one during a rollover — compared in constant time, every valid secret tried;
4. the nonce was never seen with this client (claimed in the ``NonceRegister`` for twice ``max_skew``: as long as a
   request carrying it could still pass step 1). It is claimed only after the signature holds, so forged requests
   cannot use up a client's nonces.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from keel.application.api_clients.errors import InvalidSignature, NonceReused, RequestTimeSkewed
from keel.application.api_clients.ports import NonceRegister, SecretSealer, UnreadableSecret
from keel.application.api_clients.principal import ApiClientPrincipal
from keel.application.ports import Clock
from keel.application.unit_of_work import UnitOfWorkFactory
from keel.domain.api_clients import ApiClient

_SIGNATURE_HEX_LENGTH = 64


@dataclass(frozen=True, kw_only=True)
class SignedRequest:
    client_id: str
    """As the ``Credential`` of the Authorization header names it."""
    signed_at: datetime
    """The ``x-keel-date`` header, parsed (timezone-aware)."""
    nonce: str
    string_to_sign: bytes = field(repr=False)
    signature: str = field(repr=False)
    """Lowercase hex of the HMAC-SHA256, as sent."""


class AuthenticateApiClient:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        sealer: SecretSealer,
        nonces: NonceRegister,
        clock: Clock,
        *,
        max_skew_seconds: int,
    ) -> None:
        self._uow = uow
        self._sealer = sealer
        self._nonces = nonces
        self._clock = clock
        self._max_skew = timedelta(seconds=max_skew_seconds)

    async def __call__(self, request: SignedRequest) -> ApiClientPrincipal:
        now = self._clock.now()
        if abs(now - request.signed_at) > self._max_skew:
            raise RequestTimeSkewed(
                f"x-keel-date is more than {int(self._max_skew.total_seconds())} s away from the server's time "
                f"({now.strftime('%Y%m%dT%H%M%SZ')}); sign with an accurate clock."
            )
        client = await self._active_client(request.client_id)
        if client is None or not self._signature_matches(client, request, now):
            raise InvalidSignature
        ttl_seconds = 2 * int(self._max_skew.total_seconds())
        if not await self._nonces.claim(f"{client.id}:{request.nonce}", ttl_seconds=ttl_seconds):
            raise NonceReused
        return ApiClientPrincipal(client_id=client.id, tenant_id=client.tenant_id)

    async def _active_client(self, raw_id: str) -> ApiClient | None:
        try:
            client_id = UUID(raw_id)
        except ValueError:
            return None
        async with self._uow(read_only=True) as uow:
            client = await uow.api_clients.get_by_id(client_id)
            if client is None or client.is_revoked:
                return None
            tenant = await uow.tenants.get(client.tenant_id)
        return client if tenant is not None and tenant.is_active else None

    def _signature_matches(self, client: ApiClient, request: SignedRequest, now: datetime) -> bool:
        if len(request.signature) != _SIGNATURE_HEX_LENGTH:
            return False
        try:
            presented = bytes.fromhex(request.signature)
        except ValueError:
            return False
        matched = False
        for secret in client.secrets_valid_at(now):
            try:
                key = self._sealer.open(secret.sealed, client_id=client.id)
            except UnreadableSecret:
                continue
            expected = hmac.new(key, request.string_to_sign, hashlib.sha256).digest()
            matched |= hmac.compare_digest(expected, presented)
        return matched
