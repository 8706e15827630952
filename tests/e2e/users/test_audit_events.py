"""The audit log over HTTP: every state-changing route leaves its entries (one per changed entity), with the caller,
the request id, the client's address and user agent; reading it is for owners and admins of the same tenant.

What counts: routes that change stored state — tenant sign-up (two entities: the tenant and its owner), creating a
user, a batch (one entry per created user), patching a user or oneself, deleting, restoring. Logging in changes no
entity (a password rehash is invisible to clients) and leaves none; a refused change leaves none.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from support.api import PASSWORD, AddUser, Caller, SignUp

pytestmark = pytest.mark.e2e

AGENT = {"User-Agent": "audit-test/1.0"}


async def _entries(client: httpx.AsyncClient, reader: Caller, **params: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        query = {**params, "limit": "2", **({"cursor": cursor} if cursor else {})}
        response = await client.get("/api/v1/audit-events", headers=reader.headers, params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        entries.extend(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return entries


async def test_each_write_route_leaves_its_entries_and_nothing_else(
    client: httpx.AsyncClient, sign_up: SignUp, add_user: AddUser
) -> None:
    owner = await sign_up()
    signed_up = await _entries(client, owner)
    assert sorted(entry["action"] for entry in signed_up) == ["tenant.created", "user.created"]
    assert {entry["actor"]["kind"] for entry in signed_up} == {"anonymous"}

    async def leaves(expected_actions: list[str], response: httpx.Response) -> list[dict[str, Any]]:
        assert response.is_success, response.text
        before = {entry["id"] for entry in seen}
        now = await _entries(client, owner)
        new = [entry for entry in now if entry["id"] not in before]
        assert [entry["action"] for entry in new] == expected_actions
        seen.extend(new)
        return new

    seen = list(signed_up)
    users = "/api/v1/users"
    json_user = {"email": "ada@x.example", "username": "ada", "password": PASSWORD}
    (created,) = await leaves(
        ["user.created"],
        await client.post(users, headers={**owner.headers, **AGENT, "X-Request-ID": "req-create"}, json=json_user),
    )
    assert created["actor"] == {"kind": "user", "id": owner.id}
    assert (created["request_id"], created["user_agent"], created["ip"]) == (
        "req-create",
        "audit-test/1.0",
        "127.0.0.1",
    )
    assert created["changes"]["email"] == {"before": None, "after": "ada@x.example"}
    ada = created["entity_id"]

    batch = {"users": [{**json_user, "email": f"b{n}@x.example", "username": f"batch{n}"} for n in range(3)]}
    await leaves(["user.created"] * 3, await client.post(f"{users}/batch", headers=owner.headers, json=batch))

    (patched,) = await leaves(
        ["user.updated"], await client.patch(f"{users}/{ada}", headers=owner.headers, json={"full_name": "Ada L"})
    )
    assert patched["changes"] == {"full_name": {"before": "", "after": "Ada L"}}

    (own,) = await leaves(
        ["user.updated"], await client.patch(f"{users}/me", headers=owner.headers, json={"full_name": "Olive O"})
    )
    assert (own["entity_id"], own["changes"]["full_name"]["after"]) == (owner.id, "Olive O")

    await leaves(["user.deleted"], await client.delete(f"{users}/{ada}", headers=owner.headers))
    await leaves(["user.restored"], await client.post(f"{users}/{ada}/restore", headers=owner.headers))

    # Not state changes: a login, a read, a refused change.
    await leaves(
        [],
        await client.post(
            "/api/v1/auth/login", json={"tenant": owner.tenant_slug, "email": "ada@x.example", "password": PASSWORD}
        ),
    )
    await leaves([], await client.get(f"{users}/{ada}", headers=owner.headers))
    refused = await client.patch(
        f"{users}/{ada}", headers={**owner.headers, "If-Match": '"1"'}, json={"full_name": "X"}
    )
    assert refused.status_code == 412
    assert len(await _entries(client, owner)) == len(seen)


async def test_filters_and_who_may_read(client: httpx.AsyncClient, sign_up: SignUp, add_user: AddUser) -> None:
    owner = await sign_up()
    admin = await add_user(owner, roles=("admin",))
    member = await add_user(admin)
    await client.patch(f"/api/v1/users/{member.id}", headers=admin.headers, json={"full_name": "M"})

    by_admin = await _entries(client, owner, actor_id=admin.id)
    assert [entry["action"] for entry in by_admin] == ["user.updated", "user.created"]
    about_member = await _entries(client, admin, entity_id=member.id, action="user.updated")
    assert [entry["actor"]["id"] for entry in about_member] == [admin.id]

    forbidden = await client.get("/api/v1/audit-events", headers=member.headers)
    assert forbidden.status_code == 403
    other = await sign_up()
    assert {entry["entity_id"] for entry in await _entries(client, other)} == {other.id, other.user["tenant_id"]}
    bad = await client.get("/api/v1/audit-events", headers=owner.headers, params={"cursor": "forged"})
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid_cursor")
