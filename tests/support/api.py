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


async def log_in(client: httpx.AsyncClient, tenant: str, email: str, password: str = PASSWORD) -> dict[str, str]:
    response = await client.post("/api/v1/auth/login", json={"tenant": tenant, "email": email, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


SignUp = Callable[..., Awaitable[Caller]]
AddUser = Callable[..., Awaitable[Caller]]
