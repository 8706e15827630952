"""Fixtures of the OWASP API Security Top 10 suite: tenants, users and API clients, made through the API itself."""

from __future__ import annotations

import httpx
import pytest

from support.api import Caller, SignUp
from support.partner import CreateApiClient, Partner


@pytest.fixture
def create_api_client(client: httpx.AsyncClient) -> CreateApiClient:
    async def create(owner: Caller, name: str = "Partner integration") -> Partner:
        response = await client.post("/api/v1/api-clients", headers=owner.headers, json={"name": name})
        assert response.status_code == 201, response.text
        body = response.json()
        return Partner(owner=owner, client_id=body["client_id"], secret=body["secret"])

    return create


@pytest.fixture
async def partner(sign_up: SignUp, create_api_client: CreateApiClient) -> Partner:
    """A tenant's owner and an API client of that tenant."""
    return await create_api_client(await sign_up())
