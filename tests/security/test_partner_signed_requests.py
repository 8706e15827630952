"""The partner API end to end: API clients made by an owner, requests signed with KEEL-HMAC-SHA256, and everything a
signature must not let through — a changed byte, an old date, a replayed nonce, a revoked client, an unsigned header —
each refused with its own code."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import pytest

from keel.infrastructure.migrations.connection import asyncpg_dsn
from keel.sdk.httpx_auth import KeelHmacAuth
from support.api import AddUser, SignUp
from support.app import BASE_URL
from support.partner import PARTNER_USERS, CreateApiClient, Partner, signed_get, signed_headers

pytestmark = pytest.mark.e2e


async def test_a_signed_request_reads_its_own_tenants_users_page_by_page(
    client: httpx.AsyncClient, partner: Partner, add_user: AddUser
) -> None:
    for _ in range(3):
        await add_user(partner.owner)
    first = await signed_get(client, partner, f"{PARTNER_USERS}?limit=2")
    assert first.status_code == 200, first.text
    page = first.json()
    assert len(page["items"]) == 2
    assert {user["tenant_id"] for user in page["items"]} == {partner.owner.user["tenant_id"]}
    second = await signed_get(client, partner, f"{PARTNER_USERS}?limit=2&cursor={page['next_cursor']}")
    assert second.status_code == 200, second.text
    assert len(second.json()["items"]) == 2
    assert second.json()["next_cursor"] is None
    seen = [user["id"] for user in page["items"] + second.json()["items"]]
    assert len(set(seen)) == 4


async def test_the_sdks_httpx_auth_signs_requests_keel_accepts(client: httpx.AsyncClient, partner: Partner) -> None:
    auth = KeelHmacAuth(partner.client_id, partner.secret)
    async with httpx.AsyncClient(transport=client._transport, base_url=BASE_URL, auth=auth) as signed:
        responses = [await signed.get(PARTNER_USERS, params={"limit": 5}) for _ in range(3)]
    assert [response.status_code for response in responses] == [200, 200, 200]  # a new nonce each time


def _one_byte_off(text: str) -> str:
    return text[:-1] + ("A" if text[-1] != "A" else "B")


@pytest.mark.parametrize("change", ["method", "path", "query", "body", "nonce", "date", "signature"])
async def test_a_changed_byte_breaks_the_signature(client: httpx.AsyncClient, partner: Partner, change: str) -> None:
    """The request sent is always ``GET /api/v1/partner/users?limit=5``; what was signed differs by one thing."""
    url = f"{BASE_URL}{PARTNER_USERS}?limit=5"
    signed = {
        "method": lambda: signed_headers(partner, "POST", url),
        "path": lambda: signed_headers(partner, "GET", url.replace("/users", "/user5")),
        "query": lambda: signed_headers(partner, "GET", url.replace("limit=5", "limit=6")),
        "body": lambda: signed_headers(partner, "GET", url, body=b"{}"),
    }
    headers = signed[change]() if change in signed else signed_headers(partner, "GET", url)
    if change == "nonce":
        headers["x-keel-nonce"] = _one_byte_off(headers["x-keel-nonce"])
    elif change == "date":
        signed_at = datetime.strptime(headers["x-keel-date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        headers["x-keel-date"] = (signed_at - timedelta(seconds=1)).strftime("%Y%m%dT%H%M%SZ")
    elif change == "signature":
        signature = headers["authorization"][-64:]
        headers["authorization"] = (
            headers["authorization"][:-64] + ("0" if signature[0] != "0" else "1") + signature[1:]
        )
    response = await client.get(url, headers=headers)
    assert response.status_code == 401, response.text
    assert response.json()["code"] == "invalid_signature"
    assert response.headers["www-authenticate"] == "KEEL-HMAC-SHA256"
    assert (await client.get(url, headers=signed_headers(partner, "GET", url))).status_code == 200  # the control


async def test_a_changed_body_byte_breaks_the_signature(client: httpx.AsyncClient, partner: Partner) -> None:
    url = f"{BASE_URL}{PARTNER_USERS}"
    headers = signed_headers(partner, "GET", url, body=b'{"a":1}')
    response = await client.request("GET", url, headers=headers, content=b'{"a":2}')
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_signature"
    control = signed_headers(partner, "GET", url, body=b'{"a":1}')
    assert (await client.request("GET", url, headers=control, content=b'{"a":1}')).status_code == 200


async def test_a_signed_header_that_changed_breaks_the_signature(client: httpx.AsyncClient, partner: Partner) -> None:
    url = f"{BASE_URL}{PARTNER_USERS}"
    headers = signed_headers(partner, "GET", url, headers={"content-type": "application/json"})
    assert "content-type" in headers["authorization"]
    headers["content-type"] = "application/json; charset=utf-8"
    response = await client.get(url, headers=headers)
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_signature"


@pytest.mark.parametrize("offset_seconds", [-301, 301, -3600])
async def test_a_date_outside_300_seconds_is_refused(
    client: httpx.AsyncClient, partner: Partner, offset_seconds: int
) -> None:
    response = await signed_get(client, partner, now=datetime.now(UTC) + timedelta(seconds=offset_seconds))
    assert response.status_code == 401
    assert response.json()["code"] == "request_time_skewed"


async def test_a_date_within_the_window_is_accepted(client: httpx.AsyncClient, partner: Partner) -> None:
    response = await signed_get(client, partner, now=datetime.now(UTC) - timedelta(seconds=200))
    assert response.status_code == 200, response.text


async def test_a_replayed_nonce_is_refused(client: httpx.AsyncClient, partner: Partner) -> None:
    url = f"{BASE_URL}{PARTNER_USERS}"
    headers = signed_headers(partner, "GET", url)
    assert (await client.get(url, headers=headers)).status_code == 200
    replayed = await client.get(url, headers=headers)
    assert replayed.status_code == 401
    assert replayed.json()["code"] == "nonce_reused"


async def test_a_replay_raced_against_itself_passes_once(client: httpx.AsyncClient, partner: Partner) -> None:
    url = f"{BASE_URL}{PARTNER_USERS}"
    headers = signed_headers(partner, "GET", url)
    statuses = sorted(
        r.status_code for r in await asyncio.gather(*(client.get(url, headers=headers) for _ in range(8)))
    )
    assert statuses == [200] + [401] * 7


@pytest.mark.parametrize("missing", ["x-keel-date", "x-keel-nonce"])
async def test_a_request_must_sign_its_date_and_nonce(
    client: httpx.AsyncClient, partner: Partner, missing: str
) -> None:
    url = f"{BASE_URL}{PARTNER_USERS}"
    headers = signed_headers(partner, "GET", url)
    credential, signed, signature = headers["authorization"].split(", ")
    kept = ";".join(name for name in signed.removeprefix("SignedHeaders=").split(";") if name != missing)
    headers["authorization"] = f"{credential}, SignedHeaders={kept}, {signature}"
    response = await client.get(url, headers=headers)
    assert response.status_code == 401
    assert response.json()["code"] == "malformed_signed_request"
    assert missing in response.json()["detail"]


async def test_a_revoked_client_is_refused_at_once(client: httpx.AsyncClient, partner: Partner) -> None:
    assert (await signed_get(client, partner)).status_code == 200
    revoked = await client.delete(f"/api/v1/api-clients/{partner.client_id}", headers=partner.owner.headers)
    assert revoked.status_code == 204
    response = await signed_get(client, partner)
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_signature"
    listed = await client.get("/api/v1/api-clients", headers=partner.owner.headers)
    assert partner.client_id not in {item["id"] for item in listed.json()["items"]}


async def test_an_unknown_client_and_a_wrong_secret_look_the_same(client: httpx.AsyncClient, partner: Partner) -> None:
    stranger = Partner(owner=partner.owner, client_id="0195f0e2-8a6b-7c3d-9e4f-a1b2c3d4e5f6", secret=partner.secret)
    unknown = await signed_get(client, stranger)
    wrong = await signed_get(client, partner, secret=partner.secret + "x")
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json()["code"] == wrong.json()["code"] == "invalid_signature"
    assert unknown.json()["detail"] == wrong.json()["detail"]


async def test_rotation_keeps_both_secrets_valid_until_the_previous_one_is_retired(
    client: httpx.AsyncClient, partner: Partner
) -> None:
    rotated = await client.post(
        f"/api/v1/api-clients/{partner.client_id}/rotate-secret",
        headers=partner.owner.headers,
        json={"previous_secret_valid_for_seconds": 3600},
    )
    assert rotated.status_code == 200, rotated.text
    assert rotated.headers["cache-control"] == "no-store"
    new = Partner(owner=partner.owner, client_id=partner.client_id, secret=rotated.json()["secret"])
    assert new.secret != partner.secret
    assert rotated.json()["client"]["previous_secret_expires_at"] is not None
    assert (await signed_get(client, partner)).status_code == 200  # the old secret, during the rollover
    assert (await signed_get(client, new)).status_code == 200
    retired = await client.post(
        f"/api/v1/api-clients/{partner.client_id}/retire-previous-secret", headers=partner.owner.headers
    )
    assert retired.status_code == 200, retired.text
    assert retired.json()["previous_secret_expires_at"] is None
    assert (await signed_get(client, partner)).status_code == 401
    assert (await signed_get(client, new)).status_code == 200
    again = await client.post(
        f"/api/v1/api-clients/{partner.client_id}/retire-previous-secret", headers=partner.owner.headers
    )
    assert again.status_code == 409
    assert again.json()["code"] == "no_previous_secret"


async def test_a_rotation_with_no_rollover_ends_the_old_secret_at_once(
    client: httpx.AsyncClient, partner: Partner
) -> None:
    rotated = await client.post(
        f"/api/v1/api-clients/{partner.client_id}/rotate-secret",
        headers=partner.owner.headers,
        json={"previous_secret_valid_for_seconds": 0},
    )
    assert rotated.status_code == 200
    assert (await signed_get(client, partner)).status_code == 401
    fresh = Partner(owner=partner.owner, client_id=partner.client_id, secret=rotated.json()["secret"])
    assert (await signed_get(client, fresh)).status_code == 200


async def test_secrets_are_shown_once_and_stored_sealed(
    client: httpx.AsyncClient, partner: Partner, clean_database: str
) -> None:
    listed = await client.get("/api/v1/api-clients", headers=partner.owner.headers)
    assert listed.status_code == 200
    assert partner.secret not in listed.text
    assert "secret" not in listed.json()["items"][0]
    connection = await asyncpg.connect(asyncpg_dsn(clean_database))
    try:
        row = await connection.fetchrow("SELECT secret_sealed FROM api_clients WHERE id = $1", partner.client_id)
    finally:
        await connection.close()
    assert row is not None
    sealed = bytes(row["secret_sealed"])
    assert sealed[:1] == b"\x01"  # version, nonce, ciphertext and tag: AES-GCM's output
    assert len(sealed) == 1 + 12 + len(partner.secret) + 16
    assert partner.secret.encode() not in sealed


async def test_only_owners_manage_api_clients(
    client: httpx.AsyncClient, sign_up: SignUp, add_user: AddUser, create_api_client: CreateApiClient
) -> None:
    owner = await sign_up()
    admin = await add_user(owner, roles=("admin",))
    partner = await create_api_client(owner)
    attempts = [
        await client.post("/api/v1/api-clients", headers=admin.headers, json={"name": "mine"}),
        await client.get("/api/v1/api-clients", headers=admin.headers),
        await client.post(f"/api/v1/api-clients/{partner.client_id}/rotate-secret", headers=admin.headers),
        await client.delete(f"/api/v1/api-clients/{partner.client_id}", headers=admin.headers),
    ]
    assert [response.status_code for response in attempts] == [403, 403, 403, 403]
    assert (await signed_get(client, partner)).status_code == 200
