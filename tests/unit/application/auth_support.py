"""Helpers the session and token use-case tests share: log a user in, build the use cases on a ``World``."""

from __future__ import annotations

from fakes.world import PASSWORD, World
from keel.application.auth import (
    IssuedTokens,
    Login,
    LoginCommand,
    Logout,
    RefreshSession,
    RequestEmailVerification,
    RequestPasswordReset,
    ResetPassword,
    VerifyEmail,
)
from keel.domain.users import User

RESET_TTL_SECONDS = 1800
VERIFICATION_TTL_SECONDS = 1800


async def log_in(world: World, user: User, tenant_slug: str = "acme") -> IssuedTokens:
    login = Login(world.uow, world.hasher, world.sessions(), world.clock)
    return await login(LoginCommand(tenant_slug=tenant_slug, email=user.email.value, password=PASSWORD))


def refresh_session(world: World) -> RefreshSession:
    return RefreshSession(world.uow, world.sessions(), world.clock)


def logout(world: World) -> Logout:
    return Logout(world.uow, world.denylist, world.clock)


def request_reset(world: World) -> RequestPasswordReset:
    return RequestPasswordReset(world.uow, world.clock, world.ids, ttl_seconds=RESET_TTL_SECONDS)


def reset_password(world: World) -> ResetPassword:
    return ResetPassword(world.uow, world.hasher, world.clock)


def request_verification(world: World) -> RequestEmailVerification:
    return RequestEmailVerification(world.uow, world.clock, world.ids, ttl_seconds=VERIFICATION_TTL_SECONDS)


def verify_email(world: World) -> VerifyEmail:
    return VerifyEmail(world.uow, world.clock)
