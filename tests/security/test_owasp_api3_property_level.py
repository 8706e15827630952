"""API3:2023 Broken Object Property Level Authorization — no response exposes a credential, and no request can set a
property its sender may not set (mass assignment)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from support.api import AddUser, SignUp

pytestmark = pytest.mark.e2e

SENSITIVE = re.compile(r"hash|password|secret|sealed|private|salt|token", re.IGNORECASE)
ALLOWED_IN_RESPONSES = {
    ("ApiClientCredentialsView", "secret"),  # shown once, at creation and rotation: the point of those responses
    ("TokenPairView", "access_token"),  # what log-in and refresh are for
    ("TokenPairView", "token_type"),
    ("TokenPairView", "refresh_token"),
}


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _response_schema_names(document: dict[str, Any]) -> set[str]:
    """The component schemas reachable from any response of any operation."""
    components = document["components"]["schemas"]
    pending = [
        _ref_name(ref)
        for path in document["paths"].values()
        for operation in path.values()
        for response in operation.get("responses", {}).values()
        for content in response.get("content", {}).values()
        for ref in _refs(content.get("schema", {}))
    ]
    seen: set[str] = set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        pending.extend(_ref_name(ref) for ref in _refs(components[name]))
    return seen


def _refs(schema: Any) -> Iterator[str]:
    if isinstance(schema, dict):
        if "$ref" in schema:
            yield schema["$ref"]
        for value in schema.values():
            yield from _refs(value)
    elif isinstance(schema, list):
        for item in schema:
            yield from _refs(item)


def _is_instant(schema: dict[str, Any]) -> bool:
    variants = schema.get("anyOf", [schema])
    return any(variant.get("format") == "date-time" for variant in variants) and all(
        variant.get("format") == "date-time" or variant.get("type") == "null" for variant in variants
    )


def test_no_response_schema_has_a_credential_member(app: FastAPI) -> None:
    document = app.openapi()
    names = _response_schema_names(document)
    assert {"UserView", "ApiClientView", "Problem"} <= names  # the walk reaches the schemas it must check
    exposed = {
        (name, member)
        for name in names
        for member, schema in document["components"]["schemas"][name].get("properties", {}).items()
        if SENSITIVE.search(member) and not _is_instant(schema)  # `secret_created_at` is a time, not a secret
    }
    assert exposed == ALLOWED_IN_RESPONSES


async def test_no_response_carries_a_password_or_its_hash(
    client: httpx.AsyncClient, sign_up: SignUp, add_user: AddUser
) -> None:
    owner = await sign_up()
    member = await add_user(owner)
    bodies = [
        (await client.get(f"/api/v1/users/{member.id}", headers=owner.headers)).text,
        (await client.get("/api/v1/users", headers=owner.headers)).text,
        (await client.get("/api/v1/users/me", headers=member.headers)).text,
    ]
    for body in bodies:
        assert "argon2" not in body
        assert "correct horse" not in body
        assert "password" not in body


@pytest.mark.parametrize(
    "patch",
    [
        {"roles": ["owner"]},
        {"roles": ["admin"]},
        {"status": "disabled"},
        {"email": "me@elsewhere.example"},
        {"username": "renamed"},
        {"id": "00000000-0000-7000-8000-000000000000"},
        {"tenant_id": "00000000-0000-7000-8000-000000000000"},
        {"version": 99},
        {"email_verified": True},
        {"created_at": "2000-01-01T00:00:00Z"},
        {"deleted_at": None},
        {"password_hash": "$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA"},
        {"full_name": "Fine", "roles": ["owner"]},
    ],
    ids="+".join,
)
async def test_a_member_cannot_patch_protected_members_of_themselves(
    client: httpx.AsyncClient, sign_up: SignUp, add_user: AddUser, patch: dict[str, object]
) -> None:
    member = await add_user(await sign_up())
    through_me = await client.patch("/api/v1/users/me", headers=member.headers, json=patch)
    through_id = await client.patch(f"/api/v1/users/{member.id}", headers=member.headers, json=patch)
    assert through_me.status_code == 422, through_me.text  # not a member /users/me takes
    assert through_id.status_code in {403, 422}, through_id.text  # users:write needed (or not a member at all)
    me = (await client.get("/api/v1/users/me", headers=member.headers)).json()
    assert {key: me[key] for key in ("roles", "status", "email", "username", "version", "email_verified")} == {
        "roles": ["member"],
        "status": "active",
        "email": member.user["email"],
        "username": member.user["username"],
        "version": 1,
        "email_verified": False,
    }


async def test_an_admin_cannot_make_themselves_owner(
    client: httpx.AsyncClient, sign_up: SignUp, add_user: AddUser
) -> None:
    owner = await sign_up()
    admin = await add_user(owner, roles=("admin",))
    response = await client.patch(
        f"/api/v1/users/{admin.id}", headers=admin.headers, json={"roles": ["owner", "admin"]}
    )
    assert response.status_code == 403
    other_owner = await client.post(
        "/api/v1/users",
        headers=admin.headers,
        json={"email": "o@x.example", "username": "sneaky", "password": "correct horse battery", "roles": ["owner"]},
    )
    assert other_owner.status_code == 403
    demote = await client.patch(f"/api/v1/users/{owner.id}", headers=admin.headers, json={"roles": ["member"]})
    assert demote.status_code == 403
    assert (await client.get("/api/v1/users/me", headers=admin.headers)).json()["roles"] == ["admin"]


async def test_a_member_can_change_what_is_theirs_to_change(
    client: httpx.AsyncClient, sign_up: SignUp, add_user: AddUser
) -> None:
    member = await add_user(await sign_up())
    response = await client.patch(
        "/api/v1/users/me", headers=member.headers, json={"full_name": "New Name", "preferences": {"locale": "fr"}}
    )
    assert response.status_code == 200
    assert response.json()["full_name"] == "New Name"
    assert response.json()["roles"] == ["member"]


async def test_an_api_client_body_cannot_set_its_own_id_or_secret(client: httpx.AsyncClient, sign_up: SignUp) -> None:
    owner = await sign_up()
    response = await client.post(
        "/api/v1/api-clients",
        headers=owner.headers,
        json={"name": "x", "secret": "keel_sk_chosen", "id": "00000000-0000-7000-8000-000000000000"},
    )
    assert response.status_code == 422
    assert {error["pointer"] for error in response.json()["errors"]} == {"/secret", "/id"}
