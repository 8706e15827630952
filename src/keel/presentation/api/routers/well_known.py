"""``/.well-known/jwks.json``: the public keys that verify keel's access tokens (RFC 7517)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from keel.presentation.api.deps import PublishedKeysDep

router = APIRouter(prefix="/.well-known", tags=["keys"])


@router.get("/jwks.json", summary="JSON Web Key Set of the token-verifying keys")
async def jwks(keys: PublishedKeysDep) -> JSONResponse:
    return JSONResponse(
        keys.jwks(), media_type="application/jwk-set+json", headers={"Cache-Control": "public, max-age=300"}
    )
