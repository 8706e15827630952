"""``POST /api/v1/auth/login``: an access token for a tenant's user (public).

Every failure is the same 401 problem, whatever was wrong — the tenant, the email, the password or the user's status.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from keel.application.auth import LoginCommand
from keel.presentation.api.deps import LoginDep
from keel.presentation.api.problems import problem_responses
from keel.presentation.api.v1.schemas import AccessTokenView, LoginBody

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/login", summary="Log in", response_model=AccessTokenView, responses=problem_responses(401, 422))
async def login(body: LoginBody, login: LoginDep) -> JSONResponse:
    token = await login(
        LoginCommand(tenant_slug=body.tenant, email=body.email, password=body.password.get_secret_value())
    )
    view = AccessTokenView(access_token=token.access_token, expires_in=token.expires_in)
    return JSONResponse(view.model_dump(), headers={"Cache-Control": "no-store", "Pragma": "no-cache"})
