"""Exporting users with the real dev server: API → outbox → relay → ``ExportUsers`` workflow → a CSV of the tenant's
users (formula cells escaped) streamed from ``GET /jobs/{id}/result`` → ``job_finished`` email request; and the
requests the API refuses up front."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

import httpx
import pytest
from import_support import wait_for_job
from welcome_support import outbox_rows, running_worker, with_temporal

from fakes.deliver_email import FakeDeliverEmail
from keel.settings import Settings
from support.api import PASSWORD, AddUser, SignUp
from support.temporal import TEMPORAL_GROUP, DevServer

pytestmark = [pytest.mark.e2e]


@pytest.fixture
def temporal_settings(settings: Settings, temporal_dev_server: DevServer) -> Settings:
    settings = with_temporal(settings, temporal_dev_server.address)
    temporal = settings.temporal.model_copy(update={"task_queue": f"keel-{uuid.uuid4()}"})
    return settings.model_copy(update={"temporal": temporal})


async def _batch(client: httpx.AsyncClient, headers: dict[str, str], users: list[dict[str, Any]]) -> None:
    response = await client.post(
        "/api/v1/users/batch", headers=headers, json={"users": [user | {"password": PASSWORD} for user in users]}
    )
    assert response.status_code == 200, response.text
    assert not response.json()["errors"]


@pytest.mark.slow
@pytest.mark.xdist_group(TEMPORAL_GROUP)
async def test_an_export_streams_the_tenants_users_as_csv_with_formula_cells_escaped(
    client: httpx.AsyncClient, sign_up: SignUp, temporal_settings: Settings
) -> None:
    owner, stranger = await sign_up(), await sign_up()
    await _batch(
        client,
        owner.headers,
        [
            {"email": "ada@acme.example", "username": "ada", "full_name": "=SUM(A1:A9)"},
            {"email": "bob@acme.example", "username": "bob", "full_name": 'Bob, "the builder"'},
            {"email": "cyd@acme.example", "username": "cyd", "full_name": "@cmd", "roles": ["admin"]},
        ],
    )
    await _batch(client, stranger.headers, [{"email": "eve@globex.example", "username": "eve"}])

    accepted = await client.post("/api/v1/users/exports", headers=owner.headers, json={"format": "csv"})
    assert accepted.status_code == 202, accepted.text
    job = accepted.json()["job"]
    assert accepted.headers["Location"] == f"/api/v1/jobs/{job['id']}"
    assert (job["kind"], job["status"], job["result_url"]) == ("export", "queued", None)

    async with running_worker(temporal_settings, FakeDeliverEmail()) as ready:
        await ready.wait()
        finished = await wait_for_job(client, owner.headers, job["id"])

    assert finished["status"] == "succeeded", finished
    assert finished["progress"] == {"total": 4, "processed": 4, "succeeded": 4, "failed": 0}
    assert finished["result_url"] == f"/api/v1/jobs/{job['id']}/result"
    result = await client.get(finished["result_url"], headers=owner.headers)
    assert result.status_code == 200
    assert result.headers["content-type"].startswith("text/csv")
    assert result.headers["content-disposition"] == f'attachment; filename="job-{job["id"]}-result.csv"'
    rows = list(csv.DictReader(io.StringIO(result.text, newline="")))
    assert [row["username"] for row in rows] == [owner.user["username"], "ada", "bob", "cyd"]
    assert [row["full_name"] for row in rows[1:]] == ["'=SUM(A1:A9)", 'Bob, "the builder"', "'@cmd"]
    assert [row["roles"] for row in rows] == ["owner", "member", "member", "admin"]
    assert rows[0]["id"] == owner.id

    elsewhere = await client.get(finished["result_url"], headers=stranger.headers)
    assert elsewhere.status_code == 404
    assert elsewhere.json()["type"].endswith("job_not_found")

    finished_emails = [
        row
        for row in await outbox_rows(temporal_settings.database.url)
        if row["kind"] == "send_email" and row["payload"]["template"] == "job_finished"
    ]
    assert [row["payload"]["context"] for row in finished_emails] == [
        {"job_id": job["id"], "job_name": "User export", "job_status": "succeeded"}
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"format": "xlsx"}, "format"),
        ({}, "format"),
        ({"format": "csv", "columns": ["email"]}, "columns"),
        ({"format": "csv", "filters": {"status": "sleeping"}}, "status"),
        ({"format": "csv", "filters": {"sort": "email"}}, "sort"),
        ({"format": "jsonl", "filters": {"q": "x" * 101}}, "q"),
    ],
    ids=["format", "no-format", "unknown-field", "status", "unknown-filter", "long-search"],
)
async def test_a_bad_export_request_is_a_422_problem_and_no_job(
    client: httpx.AsyncClient, sign_up: SignUp, settings: Settings, body: dict[str, Any], field: str
) -> None:
    owner = await sign_up()

    response = await client.post("/api/v1/users/exports", headers=owner.headers, json=body)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert field in response.text
    assert not [row for row in await outbox_rows(settings.database.url) if row["kind"] == "start_export"]


async def test_a_member_may_not_export(
    client: httpx.AsyncClient, sign_up: SignUp, add_user: AddUser, settings: Settings
) -> None:
    member = await add_user(await sign_up())

    response = await client.post("/api/v1/users/exports", headers=member.headers, json={"format": "csv"})

    assert response.status_code == 403, response.text
    assert not [row for row in await outbox_rows(settings.database.url) if row["kind"] == "start_export"]


async def test_a_control_character_in_the_search_is_a_422_problem(client: httpx.AsyncClient, sign_up: SignUp) -> None:
    owner = await sign_up()

    response = await client.post(
        "/api/v1/users/exports", headers=owner.headers, json={"format": "csv", "filters": {"q": "a\u0007b"}}
    )

    assert response.status_code == 422, response.text
    assert response.json()["type"].endswith("invalid_search")
