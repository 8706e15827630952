"""API5:2023 Broken Function Level Authorization — every route is either guarded by a permission or on an explicit
public allowlist, and every versioned route is rate limited. The route table is walked, so a new route that forgets
its guard fails here, not in production."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from keel.application.authorization import ROLE_PERMISSIONS, Permission
from keel.domain.users import Role
from keel.presentation.api.authorization import PartnerPermissionGuard, PermissionGuard
from keel.presentation.api.rate_limiting import RateLimit
from support.api import AddUser, SignUp
from support.routes import api_routes, dependency_calls, operations, served_routes

pytestmark = pytest.mark.e2e

PUBLIC = {
    ("GET", "/health/live"),
    ("GET", "/health/ready"),
    ("GET", "/.well-known/jwks.json"),
    ("GET", "/openapi.json"),
    ("GET", "/api/v1/openapi.json"),  # the per-version documents (off with the docs)
    ("GET", "/api/v2/openapi.json"),
    ("GET", "/metrics"),  # Prometheus scrapes; KEEL_OBSERVABILITY__METRICS_BEARER_TOKEN protects it when set
    ("GET", "/docs"),
    ("GET", "/docs/oauth2-redirect"),
    ("GET", "/redoc"),
    ("GET", "/api/v1/meta"),
    ("POST", "/api/v1/tenants"),  # sign-up
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/refresh"),  # the refresh token is the credential
    ("POST", "/api/v1/auth/password-reset"),  # answered 202 whoever asks
    ("POST", "/api/v1/auth/password-reset/confirm"),  # the one-time token is the credential
    ("POST", "/api/v1/auth/verify-email"),  # likewise
}
"""Routes anyone may call. Adding one here is a decision a reviewer must see."""

NOT_RATE_LIMITED = {
    ("GET", "/health/live"),  # orchestrators' probes
    ("GET", "/health/ready"),
    ("GET", "/.well-known/jwks.json"),  # verifiers fetch it; cached for 5 minutes
    ("GET", "/metrics"),  # Prometheus scrapes
    ("GET", "/api/v1/openapi.json"),  # static documents, like /openapi.json
    ("GET", "/api/v2/openapi.json"),
}


def _guards(route: object) -> list[PermissionGuard]:
    return [call for call in dependency_calls(route) if isinstance(call, PermissionGuard)]  # type: ignore[arg-type]


def test_every_route_is_guarded_or_explicitly_public(app: FastAPI) -> None:
    unguarded = {
        operation
        for route in served_routes(app)
        for operation in operations(route)
        if getattr(route, "dependant", None) is None or not _guards(route)
    }
    assert unguarded == PUBLIC, f"unguarded but not public: {sorted(unguarded - PUBLIC)}"


def test_public_routes_carry_no_guard_that_would_be_ignored(app: FastAPI) -> None:
    for route in api_routes(app):
        if operations(route) <= PUBLIC:
            assert not _guards(route), route.path


def test_every_versioned_route_has_one_rate_limit_class(app: FastAPI) -> None:
    for route in api_routes(app):
        limits = [call for call in dependency_calls(route) if isinstance(call, RateLimit)]
        if operations(route) <= NOT_RATE_LIMITED:
            assert limits == [], route.path
        else:
            assert len(limits) == 1, (route.path, limits)


def test_partner_routes_are_guarded_for_api_clients_only(app: FastAPI) -> None:
    for route in api_routes(app):
        partner = route.path.startswith("/api/v1/partner/")
        assert all(isinstance(guard, PartnerPermissionGuard) == partner for guard in _guards(route)), route.path


def test_roles_grant_what_the_catalog_says() -> None:
    member, admin, owner = (ROLE_PERMISSIONS[role] for role in (Role.MEMBER, Role.ADMIN, Role.OWNER))
    assert member == {Permission.USERS_READ, Permission.PROFILE_WRITE}
    assert member < admin < owner
    assert Permission.API_CLIENTS_MANAGE in owner - admin
    assert Permission.OWNERS_MANAGE in owner - admin
    assert set(Permission) == owner  # every permission is granted to someone


ADMIN_ONLY = [
    ("POST", "/api/v1/users", {"email": "n@x.example", "username": "newbie", "password": "correct horse battery"}),
    ("POST", "/api/v1/users/batch", {"users": [{"email": "b@x.example", "username": "batchy", "password": "p" * 12}]}),
    ("PATCH", "/api/v1/users/{other}", {"full_name": "Renamed"}),
    ("DELETE", "/api/v1/users/{other}", None),
    ("POST", "/api/v1/users/{other}/restore", None),
]
OWNER_ONLY = [
    ("POST", "/api/v1/api-clients", {"name": "mine"}),
    ("GET", "/api/v1/api-clients", None),
]


async def _call(client: httpx.AsyncClient, method: str, path: str, body: object, headers: dict[str, str]) -> int:
    return (await client.request(method, path, json=body, headers=headers)).status_code


async def test_a_member_is_refused_every_admin_function(
    client: httpx.AsyncClient, sign_up: SignUp, add_user: AddUser
) -> None:
    owner = await sign_up()
    member, other = await add_user(owner), await add_user(owner)
    for method, path, body in ADMIN_ONLY + OWNER_ONLY:
        status = await _call(client, method, path.format(other=other.id), body, member.headers)
        assert status == 403, (method, path)
    assert (await client.get(f"/api/v1/users/{other.id}", headers=owner.headers)).json()["version"] == 1


async def test_an_admin_is_refused_owner_functions(
    client: httpx.AsyncClient, sign_up: SignUp, add_user: AddUser
) -> None:
    owner = await sign_up()
    admin = await add_user(owner, roles=("admin",))
    for method, path, body in OWNER_ONLY:
        assert await _call(client, method, path, body, admin.headers) == 403, (method, path)
    assert await _call(client, "DELETE", f"/api/v1/users/{owner.id}", None, admin.headers) == 403


async def test_a_bearer_token_opens_no_partner_route_and_a_signature_no_user_route(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    owner = await sign_up()
    assert (await client.get("/api/v1/partner/users", headers=owner.headers)).status_code == 401
    assert (await client.get("/api/v1/users")).status_code == 401
