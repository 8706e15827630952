"""``POST /api/v1/auth/login``: an access token for a tenant's user (public).

Every failure is the same 401 problem, whatever was wrong — the tenant, the email, the password or the user's status.
Attempts count against the ``login`` quota twice: per client address and per account (tenant and email).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from keel.application.auth import LoginCommand
from keel.presentation.api.deps import LoginDep
from keel.presentation.api.problems import problem_responses
from keel.presentation.api.rate_limiting import RateLimit, account_key
from keel.presentation.api.v1.schemas import AccessTokenView, LoginBody
from keel.settings import RateLimitClass

router = APIRouter(prefix="/auth", tags=["auth"])


class LoginRateLimit(RateLimit):
    """Per client address and per account: guessing one account's password from many addresses is slowed down as
    much as guessing many accounts' passwords from one."""

    def __init__(self) -> None:
        super().__init__(RateLimitClass.LOGIN)

    async def __call__(self, request: Request, body: LoginBody) -> None:
        await self.enforce(request, self.address_key(request), "account:" + account_key(body.tenant, body.email))


@router.post(
    "/login",
    summary="Log in",
    response_model=AccessTokenView,
    dependencies=[Depends(LoginRateLimit())],
    responses=problem_responses(400, 401, 413, 422, 429, 503),
)
async def login(body: LoginBody, login: LoginDep) -> JSONResponse:
    token = await login(
        LoginCommand(tenant_slug=body.tenant, email=body.email, password=body.password.get_secret_value())
    )
    view = AccessTokenView(access_token=token.access_token, expires_in=token.expires_in)
    return JSONResponse(view.model_dump(), headers={"Cache-Control": "no-store", "Pragma": "no-cache"})
