"""Calling the partner API as a partner would: with the SDK's signer, or with a signature taken apart on purpose."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

import httpx

from keel.sdk import sign_request
from support.api import Caller

PARTNER_USERS = "/api/v1/partner/users"


@dataclass(frozen=True)
class Partner:
    owner: Caller
    client_id: str
    secret: str = field(repr=False)


CreateApiClient = Callable[..., Awaitable[Partner]]


def signed_headers(
    partner: Partner,
    method: str,
    url: str,
    *,
    body: bytes = b"",
    headers: Mapping[str, str] | None = None,
    now: datetime | None = None,
    nonce: str | None = None,
    secret: str | None = None,
) -> dict[str, str]:
    """``headers`` plus what the SDK adds to sign the request (``url`` with its query, as it will be sent)."""
    own = dict(headers or {})
    added = sign_request(
        method,
        url,
        own,
        body,
        client_id=partner.client_id,
        secret=secret if secret is not None else partner.secret,
        now=now,
        nonce=nonce,
    )
    return {**own, **added}


async def signed_get(
    client: httpx.AsyncClient, partner: Partner, url: str = PARTNER_USERS, **options: object
) -> httpx.Response:
    full = str(client.build_request("GET", url).url)
    return await client.get(url, headers=signed_headers(partner, "GET", full, **options))  # type: ignore[arg-type]
