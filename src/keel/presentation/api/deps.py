"""Typed dependencies of the routes, resolved from the app's own container.

Each alias resolves a provider of the container that the app was created with (``request.app.state.container``)
rather than through dependency-injector's module wiring: wiring is process-global, so two apps in one process — as in
tests that compare configurations — would share one container. Overrides made with ``container.x.override(...)`` apply.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request

from keel.application.api_clients import (
    CreateApiClient,
    ListApiClients,
    RetirePreviousSecret,
    RevokeApiClient,
    RotateApiClientSecret,
)
from keel.application.audit import ListAuditEvents
from keel.application.auth import (
    Login,
    Logout,
    RefreshSession,
    RequestEmailVerification,
    RequestPasswordReset,
    ResetPassword,
    VerifyEmail,
)
from keel.application.events import HandlerFailures
from keel.application.health import CheckHealth
from keel.application.pagination import CursorCodec
from keel.application.ports.tokens import AccessTokenVerifier, PublishedKeys
from keel.application.tenants import CreateTenant
from keel.application.users import (
    CreateUser,
    CreateUsersBatch,
    DeleteUser,
    GetUser,
    ListUsers,
    RestoreUser,
    UpdateUser,
)
from keel.container import Container


def from_container[T](
    select: Callable[[Container], Callable[[], T | Awaitable[T]]],
) -> Callable[[Request], Awaitable[T]]:
    """A FastAPI dependency that calls the provider ``select(container)`` of the app's container.

    Providers that depend on an async resource (the engine, the Redis client) answer with an awaitable once the
    resource runs; it is awaited here, so routes always receive the object itself.
    """

    async def resolve(request: Request) -> T:
        return await provided_by(request, select)

    return resolve


async def provided_by[T](request: Request, select: Callable[[Container], Callable[[], T | Awaitable[T]]]) -> T:
    """What the provider ``select(container)`` of the request's app gives, awaited if need be — for a dependency
    that needs a provider without declaring it as a sub-dependency of its own."""
    container: Container = request.app.state.container
    provided = select(container)()
    if inspect.isawaitable(provided):
        return await provided
    return provided


CheckHealthDep = Annotated[CheckHealth, Depends(from_container(lambda c: c.check_health))]
AccessTokenVerifierDep = Annotated[AccessTokenVerifier, Depends(from_container(lambda c: c.access_token_verifier))]
PublishedKeysDep = Annotated[PublishedKeys, Depends(from_container(lambda c: c.published_keys))]
CursorCodecDep = Annotated[CursorCodec, Depends(from_container(lambda c: c.cursor_codec))]

CreateTenantDep = Annotated[CreateTenant, Depends(from_container(lambda c: c.create_tenant))]
HandlerFailuresDep = Annotated[HandlerFailures, Depends(from_container(lambda c: c.handler_failures))]
LoginDep = Annotated[Login, Depends(from_container(lambda c: c.login))]
RefreshSessionDep = Annotated[RefreshSession, Depends(from_container(lambda c: c.refresh_session))]
LogoutDep = Annotated[Logout, Depends(from_container(lambda c: c.logout))]
RequestPasswordResetDep = Annotated[RequestPasswordReset, Depends(from_container(lambda c: c.request_password_reset))]
ResetPasswordDep = Annotated[ResetPassword, Depends(from_container(lambda c: c.reset_password))]
RequestEmailVerificationDep = Annotated[
    RequestEmailVerification, Depends(from_container(lambda c: c.request_email_verification))
]
VerifyEmailDep = Annotated[VerifyEmail, Depends(from_container(lambda c: c.verify_email))]
CreateUserDep = Annotated[CreateUser, Depends(from_container(lambda c: c.create_user))]
CreateUsersBatchDep = Annotated[CreateUsersBatch, Depends(from_container(lambda c: c.create_users_batch))]
GetUserDep = Annotated[GetUser, Depends(from_container(lambda c: c.get_user))]
ListUsersDep = Annotated[ListUsers, Depends(from_container(lambda c: c.list_users))]
UpdateUserDep = Annotated[UpdateUser, Depends(from_container(lambda c: c.update_user))]
DeleteUserDep = Annotated[DeleteUser, Depends(from_container(lambda c: c.delete_user))]
RestoreUserDep = Annotated[RestoreUser, Depends(from_container(lambda c: c.restore_user))]
ListAuditEventsDep = Annotated[ListAuditEvents, Depends(from_container(lambda c: c.list_audit_events))]

CreateApiClientDep = Annotated[CreateApiClient, Depends(from_container(lambda c: c.create_api_client))]
ListApiClientsDep = Annotated[ListApiClients, Depends(from_container(lambda c: c.list_api_clients))]
RotateApiClientSecretDep = Annotated[
    RotateApiClientSecret, Depends(from_container(lambda c: c.rotate_api_client_secret))
]
RetirePreviousSecretDep = Annotated[RetirePreviousSecret, Depends(from_container(lambda c: c.retire_previous_secret))]
RevokeApiClientDep = Annotated[RevokeApiClient, Depends(from_container(lambda c: c.revoke_api_client))]
