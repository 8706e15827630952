"""``/.well-known/jwks.json``: the public keys that verify keel's access tokens (RFC 7517)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from keel.presentation.api.deps import PublishedKeysDep

router = APIRouter(prefix="/.well-known", tags=["keys"])


class JwkSetResponse(JSONResponse):
    media_type = "application/jwk-set+json"


class PublicJwk(BaseModel):
    """An EC P-256 public key (RFC 7518 section 6.2), named by its RFC 7638 thumbprint."""

    kty: str
    crv: str
    x: str
    y: str
    kid: str
    use: str
    alg: str


class JsonWebKeySet(BaseModel):
    keys: list[PublicJwk]


@router.get(
    "/jwks.json",
    summary="JSON Web Key Set of the token-verifying keys",
    response_model=JsonWebKeySet,
    response_class=JwkSetResponse,
)
async def jwks(keys: PublishedKeysDep) -> JwkSetResponse:
    return JwkSetResponse(keys.jwks(), headers={"Cache-Control": "public, max-age=300"})
