"""Fixtures of the users API tests: sign a tenant up, add users with given roles, each logged in."""

from __future__ import annotations

import itertools

import httpx
import pytest

from support.api import PASSWORD, AddUser, Caller, SignUp, log_in

_numbers = itertools.count(1)


@pytest.fixture
def sign_up(client: httpx.AsyncClient) -> SignUp:
    async def create(slug: str | None = None) -> Caller:
        number = next(_numbers)
        slug = slug or f"tenant-{number}"
        response = await client.post(
            "/api/v1/tenants",
            json={
                "slug": slug,
                "name": f"Tenant {number}",
                "owner": {
                    "email": f"owner{number}@{slug}.example",
                    "username": f"owner{number}",
                    "full_name": "Olive Owner",
                    "password": PASSWORD,
                },
            },
        )
        assert response.status_code == 201, response.text
        owner = response.json()["owner"]
        return Caller(owner, slug, await log_in(client, slug, owner["email"]))

    return create


@pytest.fixture
def add_user(client: httpx.AsyncClient) -> AddUser:
    async def create(by: Caller, *, roles: tuple[str, ...] = ("member",), name: str | None = None) -> Caller:
        number = next(_numbers)
        username = name or f"user{number}"
        response = await client.post(
            "/api/v1/users",
            headers=by.headers,
            json={
                "email": f"{username}@{by.tenant_slug}.example",
                "username": username,
                "password": PASSWORD,
                "roles": list(roles),
                "full_name": f"User {number}",
            },
        )
        assert response.status_code == 201, response.text
        user = response.json()
        return Caller(user, by.tenant_slug, await log_in(client, by.tenant_slug, user["email"]))

    return create
