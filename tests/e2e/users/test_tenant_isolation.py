"""Broken object-level authorisation, checked on every route that takes an id: another tenant's user is not there."""

from __future__ import annotations

import httpx
import pytest

from support.api import AddUser, SignUp

pytestmark = pytest.mark.e2e


async def test_another_tenants_user_is_404_on_every_route(
    client: httpx.AsyncClient, sign_up: SignUp, add_user: AddUser
) -> None:
    ours = await sign_up()
    theirs = await sign_up()
    victim = await add_user(theirs)
    url = f"/api/v1/users/{victim.id}"
    attempts = [
        await client.get(url, headers=ours.headers),
        await client.patch(url, headers=ours.headers, json={"full_name": "Pwned"}),
        await client.delete(url, headers=ours.headers),
        await client.post(f"{url}/restore", headers=ours.headers),
    ]
    assert [response.status_code for response in attempts] == [404, 404, 404, 404]
    intact = (await client.get(url, headers=theirs.headers)).json()
    assert intact["full_name"] == victim.user["full_name"]
    assert intact["deleted_at"] is None
    listed = (await client.get("/api/v1/users", headers=ours.headers, params={"limit": 100})).json()["items"]
    assert victim.id not in {user["id"] for user in listed}
