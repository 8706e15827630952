"""Eight concurrent refreshes with one refresh token, over HTTP against real PostgreSQL: exactly one gets tokens.

The others arrive at a token already spent — indistinguishable, to the server, from a thief's replay — so the session
ends: a client keeps one refresh in flight per session.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from support.api import SignUp, log_in_tokens

pytestmark = pytest.mark.e2e

CONCURRENT = 8


async def test_of_eight_concurrent_refreshes_with_one_token_exactly_one_succeeds(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    owner = await sign_up()
    tokens = await log_in_tokens(client, owner.tenant_slug, owner.user["email"])
    responses = await asyncio.gather(
        *(
            client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
            for _ in range(CONCURRENT)
        )
    )
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] + [401] * (CONCURRENT - 1)
    assert {response.json()["code"] for response in responses if response.status_code == 401} == {
        "invalid_refresh_token"
    }
    [winner] = [response.json() for response in responses if response.status_code == 200]
    replay = await client.post("/api/v1/auth/refresh", json={"refresh_token": winner["refresh_token"]})
    assert replay.status_code == 401, "the losers' replays ended the session"
