"""A user's life over HTTP: create, read with ETags, merge-patch with If-Match, delete, restore."""

from __future__ import annotations

import httpx
import pytest

from support.api import PASSWORD, AddUser, SignUp

pytestmark = pytest.mark.e2e


async def test_create_answers_201_with_location_and_etag(client: httpx.AsyncClient, sign_up: SignUp) -> None:
    owner = await sign_up()
    response = await client.post(
        "/api/v1/users",
        headers=owner.headers,
        json={
            "email": "Bob@Example.com",
            "username": "bob",
            "password": PASSWORD,
            "roles": ["admin"],
            "preferences": {"locale": "pt-BR", "timezone": "America/Sao_Paulo"},
        },
    )
    assert response.status_code == 201
    user = response.json()
    assert response.headers["location"] == f"/api/v1/users/{user['id']}"
    assert response.headers["etag"] == '"1"'
    assert user["email"] == "bob@example.com"
    assert user["roles"] == ["admin"]
    assert user["preferences"] == {"locale": "pt-BR", "timezone": "America/Sao_Paulo"}
    fetched = await client.get(response.headers["location"], headers=owner.headers)
    assert fetched.json() == user


async def test_a_duplicate_email_is_409_naming_the_field(client: httpx.AsyncClient, sign_up: SignUp) -> None:
    owner = await sign_up()
    body = {"email": "dup@x.example", "username": "first", "password": PASSWORD}
    assert (await client.post("/api/v1/users", headers=owner.headers, json=body)).status_code == 201
    again = await client.post("/api/v1/users", headers=owner.headers, json={**body, "username": "second"})
    assert again.status_code == 409
    assert again.json()["code"] == "email_already_used"
    assert again.json()["field"] == "email"
    same_name = await client.post(
        "/api/v1/users", headers=owner.headers, json={**body, "email": "other@x.example", "username": "first"}
    )
    assert same_name.json()["field"] == "username"


async def test_a_member_cannot_create_users(client: httpx.AsyncClient, sign_up: SignUp, add_user: AddUser) -> None:
    member = await add_user(await sign_up())
    response = await client.post(
        "/api/v1/users", headers=member.headers, json={"email": "x@x.example", "username": "xyz", "password": PASSWORD}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


async def test_get_answers_304_when_the_etag_is_current(client: httpx.AsyncClient, sign_up: SignUp) -> None:
    owner = await sign_up()
    first = await client.get(f"/api/v1/users/{owner.id}", headers=owner.headers)
    assert first.status_code == 200
    etag = first.headers["etag"]
    cached = await client.get(f"/api/v1/users/{owner.id}", headers={**owner.headers, "If-None-Match": etag})
    assert cached.status_code == 304
    assert cached.content == b""
    assert cached.headers["etag"] == etag
    stale = await client.get(f"/api/v1/users/{owner.id}", headers={**owner.headers, "If-None-Match": '"999"'})
    assert stale.status_code == 200


async def test_merge_patch_changes_given_members_and_bumps_the_etag(
    client: httpx.AsyncClient, sign_up: SignUp, add_user: AddUser
) -> None:
    owner = await sign_up()
    member = await add_user(owner)
    response = await client.patch(
        f"/api/v1/users/{member.id}",
        headers={**owner.headers, "If-Match": '"1"', "Content-Type": "application/merge-patch+json"},
        content=b'{"full_name": "Renamed", "preferences": {"timezone": "Europe/Paris"}, "roles": ["admin"]}',
    )
    assert response.status_code == 200, response.text
    user = response.json()
    assert response.headers["etag"] == '"2"'
    assert user["version"] == 2
    assert user["full_name"] == "Renamed"
    assert user["roles"] == ["admin"]
    assert user["preferences"] == {"locale": "en", "timezone": "Europe/Paris"}
    assert user["email"] == member.user["email"]  # absent members are untouched


async def test_null_resets_resettable_members(client: httpx.AsyncClient, sign_up: SignUp) -> None:
    owner = await sign_up()
    await client.patch("/api/v1/users/me", headers=owner.headers, json={"preferences": {"locale": "fr"}})
    response = await client.patch(
        "/api/v1/users/me", headers=owner.headers, json={"full_name": None, "preferences": None}
    )
    assert response.status_code == 200
    assert response.json()["full_name"] == ""
    assert response.json()["preferences"] == {"locale": "en", "timezone": "UTC"}


async def test_a_patch_that_changes_nothing_keeps_the_version(client: httpx.AsyncClient, sign_up: SignUp) -> None:
    owner = await sign_up()
    response = await client.patch("/api/v1/users/me", headers=owner.headers, json={"full_name": "Olive Owner"})
    assert response.status_code == 200
    assert response.headers["etag"] == '"1"'


async def test_a_stale_if_match_is_412(client: httpx.AsyncClient, sign_up: SignUp, add_user: AddUser) -> None:
    owner = await sign_up()
    member = await add_user(owner)
    url = f"/api/v1/users/{member.id}"
    assert (
        await client.patch(url, headers={**owner.headers, "If-Match": '"1"'}, json={"full_name": "A"})
    ).status_code == 200
    stale = await client.patch(url, headers={**owner.headers, "If-Match": '"1"'}, json={"full_name": "B"})
    assert stale.status_code == 412
    assert (await client.get(url, headers=owner.headers)).json()["full_name"] == "A"
    garbage = await client.patch(url, headers={**owner.headers, "If-Match": "yesterday"}, json={"full_name": "C"})
    assert garbage.status_code == 412


@pytest.mark.parametrize(
    "forbidden",
    [{"roles": ["owner"]}, {"status": "disabled"}, {"email": "me@else.example"}, {"version": 9}, {"tenant_id": None}],
)
async def test_patching_oneself_cannot_touch_protected_members(
    client: httpx.AsyncClient, sign_up: SignUp, add_user: AddUser, forbidden: dict[str, object]
) -> None:
    member = await add_user(await sign_up())
    response = await client.patch("/api/v1/users/me", headers=member.headers, json=forbidden)
    assert response.status_code == 422
    me = (await client.get("/api/v1/users/me", headers=member.headers)).json()
    assert me["roles"] == ["member"]
    assert me["version"] == 1


async def test_a_member_cannot_raise_their_own_roles_by_id(
    client: httpx.AsyncClient, sign_up: SignUp, add_user: AddUser
) -> None:
    member = await add_user(await sign_up())
    response = await client.patch(f"/api/v1/users/{member.id}", headers=member.headers, json={"roles": ["owner"]})
    assert response.status_code == 403
    assert (await client.get("/api/v1/users/me", headers=member.headers)).json()["roles"] == ["member"]


async def test_delete_then_restore(client: httpx.AsyncClient, sign_up: SignUp, add_user: AddUser) -> None:
    owner = await sign_up()
    member = await add_user(owner)
    url = f"/api/v1/users/{member.id}"
    deleted = await client.delete(url, headers=owner.headers)
    assert deleted.status_code == 204
    assert (await client.get(url, headers=owner.headers)).status_code == 404
    assert (await client.delete(url, headers=owner.headers)).status_code == 404
    restored = await client.post(f"{url}/restore", headers=owner.headers)
    assert restored.status_code == 200
    assert restored.json()["deleted_at"] is None
    assert restored.json()["version"] == 3
    assert (await client.get(url, headers=owner.headers)).status_code == 200


async def test_restore_is_409_when_an_active_user_took_the_email(
    client: httpx.AsyncClient, sign_up: SignUp, add_user: AddUser
) -> None:
    owner = await sign_up()
    member = await add_user(owner, name="taken")
    assert (await client.delete(f"/api/v1/users/{member.id}", headers=owner.headers)).status_code == 204
    reuse = await client.post(
        "/api/v1/users",
        headers=owner.headers,
        json={"email": member.user["email"], "username": "newcomer", "password": PASSWORD},
    )
    assert reuse.status_code == 201  # a deleted user's email is free again
    conflict = await client.post(f"/api/v1/users/{member.id}/restore", headers=owner.headers)
    assert conflict.status_code == 409
    assert conflict.json()["field"] == "email"


async def test_the_last_owner_cannot_lose_ownership(client: httpx.AsyncClient, sign_up: SignUp) -> None:
    owner = await sign_up()
    response = await client.patch(f"/api/v1/users/{owner.id}", headers=owner.headers, json={"roles": ["admin"]})
    assert response.status_code == 409
    assert response.json()["code"] == "last_owner"
