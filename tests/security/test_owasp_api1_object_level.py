"""API1:2023 Broken Object Level Authorization — another tenant's objects are not there, on every route with an id.

The route table is walked: a route that takes an id and is not attacked below fails the suite, so a new one cannot be
added without saying how it keeps tenants apart.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import create_async_engine

from keel.infrastructure.database.models.jobs import jobs_table
from keel.settings import Settings
from support.api import AddUser, Caller, SignUp
from support.partner import CreateApiClient, Partner, signed_get
from support.routes import api_routes, operations

pytestmark = pytest.mark.e2e

type Attack = Callable[[httpx.AsyncClient, Caller, str], Awaitable[httpx.Response]]

USER_ATTACKS: dict[tuple[str, str], Attack] = {
    ("GET", "/api/v1/users/{user_id}"): lambda c, me, id_: c.get(f"/api/v1/users/{id_}", headers=me.headers),
    ("PATCH", "/api/v1/users/{user_id}"): lambda c, me, id_: c.patch(
        f"/api/v1/users/{id_}", headers=me.headers, json={"full_name": "Pwned", "roles": ["member"]}
    ),
    ("DELETE", "/api/v1/users/{user_id}"): lambda c, me, id_: c.delete(f"/api/v1/users/{id_}", headers=me.headers),
    ("POST", "/api/v1/users/{user_id}/restore"): lambda c, me, id_: c.post(
        f"/api/v1/users/{id_}/restore", headers=me.headers
    ),
}
CLIENT_ATTACKS: dict[tuple[str, str], Attack] = {
    ("POST", "/api/v1/api-clients/{client_id}/rotate-secret"): lambda c, me, id_: c.post(
        f"/api/v1/api-clients/{id_}/rotate-secret", headers=me.headers, json={"previous_secret_valid_for_seconds": 0}
    ),
    ("POST", "/api/v1/api-clients/{client_id}/retire-previous-secret"): lambda c, me, id_: c.post(
        f"/api/v1/api-clients/{id_}/retire-previous-secret", headers=me.headers
    ),
    ("DELETE", "/api/v1/api-clients/{client_id}"): lambda c, me, id_: c.delete(
        f"/api/v1/api-clients/{id_}", headers=me.headers
    ),
}
JOB_ATTACKS: dict[tuple[str, str], Attack] = {
    ("GET", "/api/v1/jobs/{job_id}"): lambda c, me, id_: c.get(f"/api/v1/jobs/{id_}", headers=me.headers),
    ("POST", "/api/v1/jobs/{job_id}/cancel"): lambda c, me, id_: c.post(
        f"/api/v1/jobs/{id_}/cancel", headers=me.headers
    ),
    ("GET", "/api/v1/jobs/{job_id}/result"): lambda c, me, id_: c.get(f"/api/v1/jobs/{id_}/result", headers=me.headers),
    ("GET", "/api/v1/jobs/{job_id}/error-report"): lambda c, me, id_: c.get(
        f"/api/v1/jobs/{id_}/error-report", headers=me.headers
    ),
}


def test_every_route_with_an_id_is_attacked_here(app: FastAPI) -> None:
    with_ids = {operation for route in api_routes(app) if "{" in route.path for operation in operations(route)}
    assert with_ids == set(USER_ATTACKS) | set(CLIENT_ATTACKS) | set(JOB_ATTACKS)


async def test_another_tenants_job_is_not_found_by_id(client: httpx.AsyncClient, sign_up: SignUp) -> None:
    attacker, victim = await sign_up(), await sign_up()
    accepted = await client.post(
        "/api/v1/users/imports",
        headers=victim.headers,
        files={"file": ("users.csv", b"email,username,full_name,roles\nann@bola.example,ann,Ann,member\n", "text/csv")},
    )
    assert accepted.status_code == 202, accepted.text
    job_id = accepted.json()["job"]["id"]
    for (method, path), attack in JOB_ATTACKS.items():
        response = await attack(client, attacker, job_id)
        assert response.status_code == 404, (method, path, response.text)
        assert response.json()["code"] == "job_not_found"
    intact = await client.get(f"/api/v1/jobs/{job_id}", headers=victim.headers)
    assert intact.status_code == 200
    assert intact.json()["status"] == "queued"  # the attacker's cancel did nothing


async def test_another_tenants_export_and_its_result_are_not_found_by_id(
    client: httpx.AsyncClient, sign_up: SignUp, settings: Settings
) -> None:
    attacker, victim = await sign_up(), await sign_up()
    accepted = await client.post("/api/v1/users/exports", headers=victim.headers, json={"format": "csv"})
    assert accepted.status_code == 202, accepted.text
    job_id = accepted.json()["job"]["id"]
    await _succeed_with_result(settings, job_id, b"id,email\r\n")
    for (method, path), attack in JOB_ATTACKS.items():
        response = await attack(client, attacker, job_id)
        assert response.status_code == 404, (method, path, response.text)
        assert response.json()["code"] == "job_not_found"
    result = await client.get(f"/api/v1/jobs/{job_id}/result", headers=victim.headers)
    assert result.status_code == 200
    assert result.content == b"id,email\r\n"


async def _succeed_with_result(settings: Settings, job_id: str, content: bytes) -> None:
    """What the export's workflow leaves behind: the result file, and the job succeeded with it."""
    key = f"jobs/{job_id}/result.csv"
    path = settings.jobs.storage_dir / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    engine = create_async_engine(settings.database.url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                update(jobs_table)
                .where(jobs_table.c.id == uuid.UUID(job_id))
                .values(status="succeeded", result_key=key, started_at=func.now(), finished_at=func.now())
            )
    finally:
        await engine.dispose()


async def test_another_tenants_user_is_not_found_by_id(
    client: httpx.AsyncClient, sign_up: SignUp, add_user: AddUser
) -> None:
    attacker = await sign_up()
    victim_owner = await sign_up()
    victim = await add_user(victim_owner)
    deleted = await add_user(victim_owner)
    assert (await client.delete(f"/api/v1/users/{deleted.id}", headers=victim_owner.headers)).status_code == 204
    for (method, path), attack in USER_ATTACKS.items():
        target = deleted.id if path.endswith("/restore") else victim.id
        response = await attack(client, attacker, target)
        assert response.status_code == 404, (method, path, response.text)
        assert response.json()["code"] == "user_not_found"
    intact = (await client.get(f"/api/v1/users/{victim.id}", headers=victim_owner.headers)).json()
    assert intact["full_name"] == victim.user["full_name"]
    assert intact["version"] == 1
    assert (await client.get(f"/api/v1/users/{deleted.id}", headers=victim_owner.headers)).status_code == 404


async def test_another_tenants_api_client_is_not_found_by_id(
    client: httpx.AsyncClient, sign_up: SignUp, create_api_client: CreateApiClient
) -> None:
    attacker = await sign_up()
    victim = await create_api_client(await sign_up())
    assert (
        await client.post(
            f"/api/v1/api-clients/{victim.client_id}/rotate-secret",
            headers=victim.owner.headers,
            json={"previous_secret_valid_for_seconds": 3600},
        )
    ).status_code == 200
    for (method, path), attack in CLIENT_ATTACKS.items():
        response = await attack(client, attacker, victim.client_id)
        assert response.status_code == 404, (method, path, response.text)
        assert response.json()["code"] == "api_client_not_found"
    listed = await client.get("/api/v1/api-clients", headers=victim.owner.headers)
    [item] = listed.json()["items"]
    assert item["id"] == victim.client_id
    assert item["previous_secret_expires_at"] is not None  # the rollover survived the attacks


async def test_an_api_client_reads_its_own_tenant_only(
    client: httpx.AsyncClient, sign_up: SignUp, add_user: AddUser, create_api_client: CreateApiClient
) -> None:
    ours = await create_api_client(await sign_up())
    theirs = await sign_up()
    stranger = await add_user(theirs)
    response = await signed_get(client, ours, "/api/v1/partner/users?limit=100")
    assert response.status_code == 200
    ids = {user["id"] for user in response.json()["items"]}
    assert ids == {ours.owner.id}
    assert stranger.id not in ids
    assert theirs.id not in ids


async def test_a_cursor_of_another_tenant_reveals_nothing(
    client: httpx.AsyncClient, sign_up: SignUp, add_user: AddUser
) -> None:
    victim_owner = await sign_up()
    for _ in range(3):
        await add_user(victim_owner)
    page = (await client.get("/api/v1/users?limit=1", headers=victim_owner.headers)).json()
    attacker = await sign_up()
    replay = await client.get(f"/api/v1/users?limit=10&cursor={page['next_cursor']}", headers=attacker.headers)
    assert replay.status_code == 200
    assert {user["tenant_id"] for user in replay.json()["items"]} <= {attacker.user["tenant_id"]}


async def test_a_partner_cannot_act_for_another_tenant_with_its_own_signature(
    client: httpx.AsyncClient, partner: Partner, sign_up: SignUp
) -> None:
    """The tenant comes from the signing client: no header or parameter can name another one."""
    other = await sign_up()
    response = await signed_get(
        client,
        partner,
        f"/api/v1/partner/users?tenant_id={other.user['tenant_id']}",
        headers={"x-tenant-id": other.user["tenant_id"]},
    )
    assert response.status_code == 200
    assert {user["tenant_id"] for user in response.json()["items"]} == {partner.owner.user["tenant_id"]}
