"""API6:2023 Unrestricted Access to Sensitive Business Flows — guessing passwords and signing tenants up are slowed
down per account and per client address; the client address is the socket's peer, and X-Forwarded-For is believed
only from a configured trusted proxy.

The app here sits behind a trusted proxy at 127.0.0.1 (the test transport's peer), so each test can speak from the
address it wants: ``X-Forwarded-For: <client>`` is what that proxy would append.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from keel.settings import Settings
from support.api import PASSWORD, Caller, SignUp
from support.app import serving

pytestmark = pytest.mark.e2e

LOGIN_LIMIT = 3
RESET_LIMIT = 2


@pytest.fixture
async def behind_proxy(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    quotas = settings.rate_limit.model_copy(
        update={"login": f"{LOGIN_LIMIT}/1h", "signup": "2/1h", "password_reset": f"{RESET_LIMIT}/1h"}
    )
    api = settings.api.model_copy(update={"trusted_proxies": ["127.0.0.1/32", "10.0.0.0/8"]})
    async with serving(settings.model_copy(update={"rate_limit": quotas, "api": api})) as (client, _):
        yield client


async def _login(client: httpx.AsyncClient, who: Caller, *, source: str, password: str = "wrong password") -> int:
    response = await client.post(
        "/api/v1/auth/login",
        json={"tenant": who.tenant_slug, "email": who.user["email"], "password": password},
        headers={"X-Forwarded-For": source},
    )
    return response.status_code


async def _reset(client: httpx.AsyncClient, tenant: str, email: str, *, source: str) -> int:
    response = await client.post(
        "/api/v1/auth/password-reset", json={"tenant": tenant, "email": email}, headers={"X-Forwarded-For": source}
    )
    return response.status_code


async def test_password_resets_of_one_account_are_limited_whatever_address_asks(
    behind_proxy: httpx.AsyncClient, sign_up: SignUp
) -> None:
    victim = await sign_up()
    email = victim.user["email"]
    statuses = [
        await _reset(behind_proxy, victim.tenant_slug, email, source=f"203.0.113.{n}") for n in range(RESET_LIMIT + 1)
    ]
    assert statuses == [202] * RESET_LIMIT + [429]  # no flood of reset emails into one mailbox


async def test_password_resets_from_one_address_are_limited_whatever_account_it_names(
    behind_proxy: httpx.AsyncClient, sign_up: SignUp
) -> None:
    victims = [await sign_up() for _ in range(RESET_LIMIT + 1)]
    statuses = [
        await _reset(behind_proxy, victim.tenant_slug, victim.user["email"], source="198.51.100.9")
        for victim in victims
    ]
    assert statuses == [202] * RESET_LIMIT + [429]
    # an unknown account counts the same: the limit tells nobody which accounts exist
    unknown = await _reset(behind_proxy, victims[0].tenant_slug, "nobody@nowhere.example", source="198.51.100.9")
    assert unknown == 429


async def test_one_account_is_limited_whatever_address_guesses(
    behind_proxy: httpx.AsyncClient, sign_up: SignUp
) -> None:
    victim = await sign_up()
    statuses = [await _login(behind_proxy, victim, source=f"203.0.113.{n}") for n in range(LOGIN_LIMIT + 2)]
    assert statuses == [401] * LOGIN_LIMIT + [429, 429]
    # the right password does not get through either while the account's quota is spent
    assert await _login(behind_proxy, victim, source="203.0.113.200", password=PASSWORD) == 429


async def test_one_address_is_limited_whatever_account_it_guesses(
    behind_proxy: httpx.AsyncClient, sign_up: SignUp
) -> None:
    victims = [await sign_up() for _ in range(LOGIN_LIMIT + 1)]
    statuses = [await _login(behind_proxy, victim, source="198.51.100.7") for victim in victims]
    assert statuses == [401] * LOGIN_LIMIT + [429]
    assert await _login(behind_proxy, victims[-1], source="198.51.100.8", password=PASSWORD) == 200


async def test_a_spoofed_forwarded_for_left_of_the_proxy_changes_nothing(
    behind_proxy: httpx.AsyncClient, sign_up: SignUp
) -> None:
    """The client puts any address it likes first; the proxy appends the real one, which is what counts."""
    victims = [await sign_up() for _ in range(LOGIN_LIMIT + 1)]
    statuses = [
        await _login(behind_proxy, victim, source=f"192.0.2.{n}, 198.51.100.9") for n, victim in enumerate(victims)
    ]
    assert statuses == [401] * LOGIN_LIMIT + [429]


async def test_forwarded_for_from_an_untrusted_peer_is_ignored(settings: Settings, sign_up: SignUp) -> None:
    quotas = settings.rate_limit.model_copy(update={"login": f"{LOGIN_LIMIT}/1h"})
    async with serving(settings.model_copy(update={"rate_limit": quotas})) as (client, _):  # no trusted proxy
        victims = [await sign_up() for _ in range(LOGIN_LIMIT + 1)]
        statuses = [await _login(client, victim, source=f"203.0.113.{n}") for n, victim in enumerate(victims)]
    assert statuses == [401] * LOGIN_LIMIT + [429]  # every attempt counted against the socket's address


async def test_sign_ups_are_limited_per_address(behind_proxy: httpx.AsyncClient) -> None:
    def tenant(slug: str) -> dict[str, object]:
        return {
            "slug": slug,
            "name": slug,
            "owner": {"email": f"o@{slug}.example", "username": "owner", "password": PASSWORD},
        }

    headers = {"X-Forwarded-For": "198.51.100.20"}
    statuses = [
        (await behind_proxy.post("/api/v1/tenants", json=tenant(f"farm-{n}"), headers=headers)).status_code
        for n in range(3)
    ]
    assert statuses == [201, 201, 429]
    other = await behind_proxy.post(
        "/api/v1/tenants", json=tenant("honest"), headers={"X-Forwarded-For": "198.51.100.21"}
    )
    assert other.status_code == 201
