"""Which API client signed a partner request: the ``KEEL-HMAC-SHA256`` Authorization header, checked.

The request is rebuilt in canonical form from what the server received — the method, the raw path, the query, the
signed headers, the raw body — with the partner SDK's own functions (``keel.sdk.signing``), so both ends follow one
definition. ``AuthenticateApiClient`` then checks the time, the client, the signature and the nonce. Every refusal is
a 401 problem with a ``code`` a partner can act on and ``WWW-Authenticate: KEEL-HMAC-SHA256``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request

from keel.application.api_clients import (
    ApiClientPrincipal,
    AuthenticateApiClient,
    MalformedSignedRequest,
    SignedRequest,
)
from keel.container import Container
from keel.presentation.api.deps import provided_by
from keel.sdk.signing import (
    DATE_HEADER,
    NONCE_HEADER,
    MalformedSignature,
    canonical_request,
    check_nonce,
    parse_authorization,
    parse_date,
    string_to_sign,
)


async def signed_request(request: Request) -> SignedRequest:
    """The request as the client must have signed it; ``MalformedSignedRequest`` when it cannot have been."""
    header = request.headers.get("authorization")
    if header is None:
        raise MalformedSignedRequest("A KEEL-HMAC-SHA256 Authorization header is required.")
    try:
        authorization = parse_authorization(header)
        date = request.headers.get(DATE_HEADER, "")
        signed_at = parse_date(date)
        nonce = check_nonce(request.headers.get(NONCE_HEADER, ""))
        headers = {name: request.headers.getlist(name) for name in authorization.signed_headers}
        raw_path = request.scope.get("raw_path")
        path = raw_path.decode("latin-1") if raw_path else request.scope["path"]
        canonical = canonical_request(
            request.method,
            path,
            request.scope["query_string"].decode("latin-1"),
            headers=headers,
            signed_headers=authorization.signed_headers,
            body=await request.body(),
        )
    except MalformedSignature as error:
        raise MalformedSignedRequest(f"The signed request is malformed: {error}.") from None
    return SignedRequest(
        client_id=authorization.client_id,
        signed_at=signed_at,
        nonce=nonce,
        string_to_sign=string_to_sign(date, canonical),
        signature=authorization.signature,
    )


async def current_api_client(request: Request) -> ApiClientPrincipal:
    authenticate = await provided_by(request, _authenticate)
    return await authenticate(await signed_request(request))


def _authenticate(container: Container) -> Callable[[], AuthenticateApiClient | Awaitable[AuthenticateApiClient]]:
    return container.authenticate_api_client


CurrentApiClient = Annotated[ApiClientPrincipal, Depends(current_api_client)]
