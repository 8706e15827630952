"""Calling the API as a person would: sign a tenant up, log in, carry the bearer token."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

PASSWORD = "correct horse battery staple"


@dataclass
class Caller:
    """A logged-in user of a tenant: its user JSON, its tenant slug, and headers carrying its token."""

    user: dict[str, Any]
    tenant_slug: str
    headers: dict[str, str]

    @property
    def id(self) -> str:
        return str(self.user["id"])


async def log_in_tokens(client: httpx.AsyncClient, tenant: str, email: str, password: str = PASSWORD) -> dict[str, Any]:
    """The token pair a log-in answers: ``access_token``, ``refresh_token``, their lifetimes."""
    response = await client.post("/api/v1/auth/login", json={"tenant": tenant, "email": email, "password": password})
    assert response.status_code == 200, response.text
    tokens: dict[str, Any] = response.json()
    return tokens


def bearer(access_token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {access_token}"}


async def log_in(client: httpx.AsyncClient, tenant: str, email: str, password: str = PASSWORD) -> dict[str, str]:
    """Headers carrying the access token of a new log-in."""
    return bearer((await log_in_tokens(client, tenant, email, password))["access_token"])


SignUp = Callable[..., Awaitable[Caller]]
AddUser = Callable[..., Awaitable[Caller]]
