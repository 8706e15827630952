"""API versions: `/api/v2/users` serves v2's page shape from the same use case; v1's list is deprecated with the
Deprecation, Sunset and Link headers; each version has its own OpenAPI document."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, routing

from keel.presentation.api.deprecation import resolve
from keel.presentation.api.versions import V2_RELEASED, deprecations
from keel.settings import Settings
from support.api import AddUser, SignUp

pytestmark = pytest.mark.e2e

SUNSET = datetime(2028, 1, 31, 12, 0, tzinfo=UTC)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"api": settings.api.model_copy(update={"v1_users_list_sunset": SUNSET})})


async def test_v2_lists_the_same_users_as_v1_in_its_own_shape(
    client: httpx.AsyncClient, sign_up: SignUp, add_user: AddUser
) -> None:
    owner = await sign_up()
    for _ in range(2):
        await add_user(owner)

    v1_ids: list[str] = []
    v2_ids: list[str] = []
    v1 = (await client.get("/api/v1/users", headers=owner.headers, params={"limit": 100})).json()
    v1_ids = [user["id"] for user in v1["items"]]
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        response = await client.get("/api/v2/users", headers=owner.headers, params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == {"data", "page"}
        assert "deprecation" not in response.headers
        v2_ids.extend(user["id"] for user in body["data"])
        cursor = body["page"]["next_cursor"]
        if cursor is None:
            break
    assert v2_ids == v1_ids
    assert len(v2_ids) == 3


async def test_the_deprecated_v1_list_announces_its_sunset_and_successor(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    owner = await sign_up()
    for headers in (owner.headers, {}):  # an error answer of the route carries them too
        response = await client.get("/api/v1/users", headers=headers)
        assert response.headers["deprecation"] == f"@{int(V2_RELEASED.timestamp())}"
        assert parsedate_to_datetime(response.headers["sunset"]) == SUNSET
        assert response.headers["link"] == '</api/v2/users>; rel="successor-version"'
    other_v1 = await client.get("/api/v1/users/me", headers=owner.headers)
    assert "deprecation" not in other_v1.headers
    assert "sunset" not in other_v1.headers


async def test_each_version_has_its_own_openapi_document(client: httpx.AsyncClient) -> None:
    whole = (await client.get("/openapi.json")).json()
    assert whole["paths"]["/api/v1/users"]["get"]["deprecated"] is True
    assert "deprecated" not in whole["paths"]["/api/v2/users"]["get"]
    for version, prefix in (("v1", "/api/v1/"), ("v2", "/api/v2/")):
        response = await client.get(f"/api/{version}/openapi.json")
        assert response.status_code == 200
        document = response.json()
        assert document["paths"]
        assert all(path.startswith(prefix) for path in document["paths"])
        assert document["info"]["version"] == version[1:]
        schemas = document["components"]["schemas"]
        assert set(_refs(document)) <= set(schemas)  # every reference resolves
    v2 = (await client.get("/api/v2/openapi.json")).json()
    assert "UserListView" in v2["components"]["schemas"]
    assert "UserPageView" not in v2["components"]["schemas"]


def _refs(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value.removeprefix("#/components/schemas/")
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def test_a_route_marked_deprecated_without_its_entry_is_refused(app: FastAPI) -> None:
    with pytest.raises(RuntimeError, match=r"no entry for \[\('GET', '/api/v1/users'\)\]"):
        resolve(app.routes, {})
    extra = routing.APIRoute("/api/v1/old", lambda: None, methods=["GET"], deprecated=True)
    with pytest.raises(RuntimeError, match="/api/v1/old"):
        resolve([*app.routes, extra], deprecations(app.state.settings))
