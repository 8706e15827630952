"""``/api/v1/auth``: log-in, refresh, logout, password reset and email verification.

Log-in and refresh answer every failure with the same 401 problem, whatever was wrong. Asking for a password reset
always answers 202 with no body, before the request is even looked at: neither the answer nor its timing tells
whether the account exists. Token responses are never cached (``Cache-Control: no-store``).

Rate limits: log-in attempts count against the ``login`` quota twice, per client address and per account (tenant and
email); refresh per client address. Password-reset requests count against ``password_reset`` per address and per
account; their confirmation and email verification per address. Logout and asking for a verification email are
writes of the signed-in user.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Body, Depends, Request, Response, status
from fastapi.responses import JSONResponse

from keel.application.auth import (
    IssuedTokens,
    LoginCommand,
    LogoutCommand,
    RefreshCommand,
    RequestEmailVerificationCommand,
    RequestPasswordResetCommand,
    ResetPasswordCommand,
    VerifyEmailCommand,
)
from keel.application.authorization import Permission
from keel.application.events import run_guarded
from keel.presentation.api.authentication import CurrentAccess
from keel.presentation.api.authorization import ProfileWriter, require_permission
from keel.presentation.api.deps import (
    HandlerFailuresDep,
    LoginDep,
    LogoutDep,
    RefreshSessionDep,
    RequestEmailVerificationDep,
    RequestPasswordResetDep,
    ResetPasswordDep,
    VerifyEmailDep,
)
from keel.presentation.api.problems import problem_responses
from keel.presentation.api.rate_limiting import AddressRateLimit, RateLimit, UserRateLimit, account_key
from keel.presentation.api.v1.schemas import (
    LoginBody,
    LogoutBody,
    PasswordResetBody,
    PasswordResetConfirmBody,
    RefreshBody,
    TokenPairView,
    VerifyEmailBody,
)
from keel.settings import RateLimitClass

router = APIRouter(prefix="/auth", tags=["auth"])


class LoginRateLimit(RateLimit):
    """Per client address and per account: guessing one account's password from many addresses is slowed down as
    much as guessing many accounts' passwords from one."""

    def __init__(self) -> None:
        super().__init__(RateLimitClass.LOGIN)

    async def __call__(self, request: Request, body: LoginBody) -> None:
        await self.enforce(request, self.address_key(request), "account:" + account_key(body.tenant, body.email))


class PasswordResetRateLimit(RateLimit):
    """Per client address and per account: one account cannot be flooded with reset emails from many addresses."""

    def __init__(self) -> None:
        super().__init__(RateLimitClass.PASSWORD_RESET)

    async def __call__(self, request: Request, body: PasswordResetBody) -> None:
        await self.enforce(request, self.address_key(request), "account:" + account_key(body.tenant, body.email))


_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _token_pair(tokens: IssuedTokens) -> JSONResponse:
    view = TokenPairView(
        access_token=tokens.access.access_token,
        expires_in=tokens.access.expires_in,
        refresh_token=tokens.refresh_token,
        refresh_expires_in=tokens.refresh_expires_in,
    )
    return JSONResponse(view.model_dump(), headers=_NO_STORE)


@router.post(
    "/login",
    summary="Log in",
    response_model=TokenPairView,
    dependencies=[Depends(LoginRateLimit())],
    responses=problem_responses(400, 401, 413, 422, 429, 503),
)
async def login(body: LoginBody, login: LoginDep) -> JSONResponse:
    tokens = await login(
        LoginCommand(tenant_slug=body.tenant, email=body.email, password=body.password.get_secret_value())
    )
    return _token_pair(tokens)


@router.post(
    "/refresh",
    summary="Trade a refresh token for a new access token and refresh token",
    response_model=TokenPairView,
    dependencies=[Depends(AddressRateLimit(RateLimitClass.LOGIN))],
    responses=problem_responses(400, 401, 413, 422, 429, 503),
)
async def refresh(body: RefreshBody, refresh: RefreshSessionDep) -> JSONResponse:
    return _token_pair(await refresh(RefreshCommand(refresh_token=body.refresh_token.get_secret_value())))


@router.post(
    "/logout",
    summary="End the session: its refresh tokens and this access token stop working",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[
        Depends(require_permission(Permission.PROFILE_WRITE)),
        Depends(UserRateLimit(RateLimitClass.WRITE)),
    ],
    responses=problem_responses(400, 401, 403, 413, 422, 429),
)
async def logout(
    access: CurrentAccess, logout: LogoutDep, body: Annotated[LogoutBody | None, Body()] = None
) -> Response:
    refresh_token = body.refresh_token.get_secret_value() if body is not None and body.refresh_token else None
    await logout(LogoutCommand(access=access, refresh_token=refresh_token))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/password-reset",
    summary="Ask for a password-reset email (answered 202 whether or not the account exists)",
    status_code=status.HTTP_202_ACCEPTED,
    response_class=Response,  # no body
    dependencies=[Depends(PasswordResetRateLimit())],
    responses=problem_responses(400, 413, 422, 429, 503),
)
async def request_password_reset(
    body: PasswordResetBody,
    request_reset: RequestPasswordResetDep,
    failures: HandlerFailuresDep,
    background: BackgroundTasks,
) -> Response:
    # Processed after the response is sent: the answer and its timing are the same whether the account exists or not.
    # A failure there is logged and counted; the client learns nothing either way.
    command = RequestPasswordResetCommand(tenant_slug=body.tenant, email=body.email)
    background.add_task(
        run_guarded,
        partial(request_reset, command),
        name=type(request_reset).__qualname__,
        event_name="password_reset_request",
        failures=failures,
    )
    return Response(status_code=status.HTTP_202_ACCEPTED)


@router.post(
    "/password-reset/confirm",
    summary="Set a new password with the token from the password-reset email",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[Depends(AddressRateLimit(RateLimitClass.PASSWORD_RESET))],
    responses=problem_responses(400, 413, 422, 429, 503),
)
async def confirm_password_reset(body: PasswordResetConfirmBody, reset_password: ResetPasswordDep) -> Response:
    await reset_password(
        ResetPasswordCommand(token=body.token.get_secret_value(), new_password=body.new_password.get_secret_value())
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/verify-email",
    summary="Verify an email address with the token from the verification email",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[Depends(AddressRateLimit(RateLimitClass.PASSWORD_RESET))],
    responses=problem_responses(400, 409, 413, 422, 429, 503),
)
async def verify_email(body: VerifyEmailBody, verify: VerifyEmailDep) -> Response:
    await verify(VerifyEmailCommand(token=body.token.get_secret_value()))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/verify-email/request",
    summary="Send the caller a verification email for their current address",
    status_code=status.HTTP_202_ACCEPTED,
    response_class=Response,  # no body
    dependencies=[Depends(UserRateLimit(RateLimitClass.WRITE))],
    responses=problem_responses(401, 403, 404, 409, 429),
)
async def request_email_verification(
    actor: ProfileWriter, request_verification: RequestEmailVerificationDep
) -> Response:
    await request_verification(RequestEmailVerificationCommand(tenant_id=actor.tenant_id, user_id=actor.user_id))
    return Response(status_code=status.HTTP_202_ACCEPTED)
