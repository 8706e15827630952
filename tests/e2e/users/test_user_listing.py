"""``GET /api/v1/users``: keyset pages with opaque cursors, filters and sorts from an allowlist."""

from __future__ import annotations

import base64

import httpx
import pytest

from support.api import PASSWORD, Caller, SignUp

pytestmark = pytest.mark.e2e


async def _populate(client: httpx.AsyncClient, owner: Caller, count: int) -> None:
    response = await client.post(
        "/api/v1/users/batch",
        headers=owner.headers,
        json={
            "users": [
                {
                    "email": f"u{i:02}@list.example",
                    "username": f"user{i:02}",
                    "password": PASSWORD,
                    "full_name": "Zed" if i % 5 == 0 else f"Person {i}",
                    "roles": ["admin"] if i % 4 == 0 else ["member"],
                }
                for i in range(count)
            ]
        },
    )
    assert response.status_code == 200
    assert response.json()["errors"] == []


@pytest.mark.parametrize("sort", ["created_at", "-created_at", "email", "-email", "username", "-username"])
async def test_paging_visits_every_user_once_in_order(client: httpx.AsyncClient, sign_up: SignUp, sort: str) -> None:
    owner = await sign_up()
    await _populate(client, owner, 23)
    seen: list[dict[str, object]] = []
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"limit": 5, "sort": sort, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/api/v1/users", headers=owner.headers, params=params)).json()
        seen.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 24
    assert len({user["id"] for user in seen}) == 24
    field = sort.removeprefix("-")
    keys = [(user[field], user["id"]) for user in seen]
    assert keys == sorted(keys, reverse=sort.startswith("-"))


async def test_filters_narrow_the_list(client: httpx.AsyncClient, sign_up: SignUp) -> None:
    owner = await sign_up()
    await _populate(client, owner, 20)
    zeds = (await client.get("/api/v1/users", headers=owner.headers, params={"q": "zed"})).json()["items"]
    assert {user["full_name"] for user in zeds} == {"Zed"}
    assert len(zeds) == 4
    admins = (await client.get("/api/v1/users", headers=owner.headers, params={"role": "admin"})).json()["items"]
    assert len(admins) == 5
    assert all("admin" in user["roles"] for user in admins)


@pytest.mark.parametrize("limit", [0, 101, -1])
async def test_limit_out_of_range_is_422(client: httpx.AsyncClient, sign_up: SignUp, limit: int) -> None:
    owner = await sign_up()
    response = await client.get("/api/v1/users", headers=owner.headers, params={"limit": limit})
    assert response.status_code == 422
    assert response.json()["errors"][0]["parameter"] == "limit"


async def test_a_sort_outside_the_allowlist_is_422(client: httpx.AsyncClient, sign_up: SignUp) -> None:
    owner = await sign_up()
    response = await client.get("/api/v1/users", headers=owner.headers, params={"sort": "password_hash"})
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_sort"


async def test_a_tampered_or_foreign_cursor_is_400(client: httpx.AsyncClient, sign_up: SignUp) -> None:
    owner = await sign_up()
    await _populate(client, owner, 4)
    cursor = (await client.get("/api/v1/users", headers=owner.headers, params={"limit": 2})).json()["next_cursor"]
    assert cursor
    raw = bytearray(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    raw[len(raw) // 2] ^= 0x01
    tampered = base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    for bad in (tampered, "not a cursor", cursor[:-3]):
        response = await client.get("/api/v1/users", headers=owner.headers, params={"limit": 2, "cursor": bad})
        assert response.status_code == 400, bad
        assert response.json()["code"] == "invalid_cursor"
    other_sort = await client.get("/api/v1/users", headers=owner.headers, params={"cursor": cursor, "sort": "email"})
    assert other_sort.status_code == 400


async def test_deleted_users_are_listed_only_on_request(client: httpx.AsyncClient, sign_up: SignUp) -> None:
    owner = await sign_up()
    await _populate(client, owner, 3)
    victim = (await client.get("/api/v1/users", headers=owner.headers, params={"q": "u01"})).json()["items"][0]
    await client.delete(f"/api/v1/users/{victim['id']}", headers=owner.headers)
    plain = (await client.get("/api/v1/users", headers=owner.headers)).json()["items"]
    everyone = (await client.get("/api/v1/users", headers=owner.headers, params={"include_deleted": "true"})).json()
    assert victim["id"] not in {user["id"] for user in plain}
    assert victim["id"] in {user["id"] for user in everyone["items"]}
