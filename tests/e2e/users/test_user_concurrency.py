"""Races decided by the database: one email taken once, one version changed once."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
import pytest

from support.api import PASSWORD, AddUser, SignUp

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


async def test_fifty_concurrent_creates_of_one_email(client: httpx.AsyncClient, sign_up: SignUp) -> None:
    owner = await sign_up()

    async def create(i: int) -> int:
        response = await client.post(
            "/api/v1/users",
            headers=owner.headers,
            json={"email": "race@x.example", "username": f"racer{i}", "password": PASSWORD},
        )
        return response.status_code

    statuses = Counter(await asyncio.gather(*(create(i) for i in range(50))))
    assert statuses == {201: 1, 409: 49}


async def test_concurrent_patches_with_one_if_match(
    client: httpx.AsyncClient, sign_up: SignUp, add_user: AddUser
) -> None:
    owner = await sign_up()
    member = await add_user(owner)

    async def patch(i: int) -> int:
        response = await client.patch(
            f"/api/v1/users/{member.id}",
            headers={**owner.headers, "If-Match": '"1"'},
            json={"full_name": f"Writer {i}"},
        )
        return response.status_code

    statuses = Counter(await asyncio.gather(*(patch(i) for i in range(10))))
    assert statuses == {200: 1, 412: 9}
    user = (await client.get(f"/api/v1/users/{member.id}", headers=owner.headers)).json()
    assert user["version"] == 2
