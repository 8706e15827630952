"""The whole app over HTTP (httpx's ASGI transport), its lifespan run, real PostgreSQL and Redis behind it; and the
callers the tests act as: a tenant signed up with its owner logged in, users added with given roles."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from keel.container import Container, build_container
from keel.presentation.api.app import create_app
from keel.settings import Settings
from support.api import PASSWORD, AddUser, Caller, SignUp, log_in


@pytest.fixture
def container(settings: Settings) -> Container:
    return build_container(settings)


@pytest.fixture
def app(settings: Settings, container: Container) -> FastAPI:
    return create_app(settings, container=container)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://keel.test") as http,
    ):
        yield http


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
