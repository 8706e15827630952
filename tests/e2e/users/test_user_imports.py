"""Importing users from CSV with the real dev server: API → outbox → relay → ``ImportUsers`` workflow → chunks of
``CreateUsersBatch`` → error report → ``job_finished`` email request; and what the API refuses up front."""

from __future__ import annotations

import csv
import io
import uuid

import httpx
import pytest
from import_support import HEADER, import_csv, upload, wait_for_job
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine
from welcome_support import outbox_rows, running_worker, with_temporal

from fakes.deliver_email import FakeDeliverEmail
from keel.infrastructure.database.models.users import users_table
from keel.settings import Settings
from support.api import SignUp
from support.temporal import TEMPORAL_GROUP, DevServer

pytestmark = [pytest.mark.e2e]


@pytest.fixture
def temporal_settings(settings: Settings, temporal_dev_server: DevServer) -> Settings:
    settings = with_temporal(settings, temporal_dev_server.address)
    temporal = settings.temporal.model_copy(update={"task_queue": f"keel-{uuid.uuid4()}"})
    return settings.model_copy(update={"temporal": temporal})


async def _count_users(database_url: str) -> int:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            return int((await connection.execute(select(func.count()).select_from(users_table))).scalar_one())
    finally:
        await engine.dispose()


@pytest.mark.slow
@pytest.mark.xdist_group(TEMPORAL_GROUP)
async def test_a_thousand_rows_with_ten_bad_ones_create_990_users_and_report_10(
    client: httpx.AsyncClient, sign_up: SignUp, temporal_settings: Settings
) -> None:
    owner = await sign_up()
    bad = {
        5: "not-an-email,bad5,Bad,member\n",
        50: "bad50@import.example,bad 50!,Bad,member\n",
        100: "bad100@import.example,bad100,Bad,wizard\n",
        150: "user149@import.example,dup150,Dup,member\n",  # the email of row 149, earlier in the file
        200: "bad200@import.example,user199,Dup,member\n",  # the username of row 199
        250: f"{owner.user['email']},ownerdup,Dup,member\n",  # taken in the database
        300: "bad300@import.example,bad300\n",  # too few fields
        350: "bad350@import.example,bad350,Bad,member;wizard\n",
        400: "@import.example,bad400,Bad,member\n",
        999: "bad999@import.example,bad999,Bad,owner,extra\n",  # too many fields
    }
    accepted = await upload(client, owner.headers, import_csv(1000, bad=bad))
    assert accepted.status_code == 202, accepted.text
    job = accepted.json()["job"]
    assert accepted.headers["Location"] == f"/api/v1/jobs/{job['id']}"
    assert job["status"] == "queued"
    assert job["progress"] == {"total": 1000, "processed": 0, "succeeded": 0, "failed": 0}

    async with running_worker(temporal_settings, FakeDeliverEmail()) as ready:
        await ready.wait()
        finished = await wait_for_job(client, owner.headers, job["id"])

    assert finished["status"] == "succeeded", finished
    assert finished["progress"] == {"total": 1000, "processed": 1000, "succeeded": 990, "failed": 10}
    assert finished["finished_at"] is not None
    assert finished["result_url"] is None
    assert await _count_users(temporal_settings.database.url) == 1 + 990

    report = await client.get(finished["error_report_url"], headers=owner.headers)
    assert report.status_code == 200
    assert report.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(report.text)))
    assert rows[0] == ["line", "field", "error"]
    assert [int(row[0]) for row in rows[1:]] == sorted(n + 2 for n in bad)  # line 1 is the header
    fields = {int(row[0]) - 2: row[1] for row in rows[1:]}
    assert fields[5] == "email"
    assert fields[100] == "roles"
    assert fields[150] == "email"
    assert fields[200] == "username"

    finished_emails = [
        row
        for row in await outbox_rows(temporal_settings.database.url)
        if row["kind"] == "send_email" and row["payload"]["template"] == "job_finished"
    ]
    assert len(finished_emails) == 1
    payload = finished_emails[0]["payload"]
    assert payload["recipient_user_id"] == owner.id
    assert payload["context"] == {"job_id": job["id"], "job_name": "User import", "job_status": "succeeded"}


@pytest.mark.parametrize(
    ("content", "status", "code"),
    [
        (b"", 422, "import_file_empty"),
        (HEADER.encode(), 422, "import_file_empty"),
        (b"email,name\nada@x.example,ada\n", 422, "import_header_invalid"),
        (HEADER.encode() + "ad\u00e9@x.example,ada,Ad\u00e9,member\n".encode("latin-1"), 422, "import_not_utf8"),
    ],
    ids=["empty", "header-only", "bad-header", "latin-1"],
)
async def test_unimportable_files_are_refused_up_front(  # noqa: PLR0917 - fixtures and parameters
    client: httpx.AsyncClient, sign_up: SignUp, settings: Settings, content: bytes, status: int, code: str
) -> None:
    owner = await sign_up()
    response = await upload(client, owner.headers, content)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith(code)
    assert not [row for row in await outbox_rows(settings.database.url) if row["kind"] == "start_import"]
    assert not list((settings.jobs.storage_dir).rglob("*.csv"))


async def test_a_file_over_the_limit_is_refused_with_413(client: httpx.AsyncClient, sign_up: SignUp) -> None:
    owner = await sign_up()
    limit = client._transport.app.state.container.settings().jobs.import_max_bytes  # type: ignore[attr-defined]
    response = await upload(client, owner.headers, HEADER.encode() + b"a" * (limit + 1))
    assert response.status_code == 413, response.text
    assert response.json()["type"].endswith("import_file_too_large")


async def test_a_bom_is_accepted_and_another_tenant_cannot_see_the_job(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    owner, other = await sign_up(), await sign_up()
    accepted = await upload(client, owner.headers, b"\xef\xbb\xbf" + import_csv(3))
    assert accepted.status_code == 202, accepted.text
    job_id = accepted.json()["job"]["id"]
    assert (await client.get(f"/api/v1/jobs/{job_id}", headers=owner.headers)).status_code == 200
    hidden = await client.get(f"/api/v1/jobs/{job_id}", headers=other.headers)
    assert hidden.status_code == 404
    assert hidden.json()["type"].endswith("job_not_found")
    no_report = await client.get(f"/api/v1/jobs/{job_id}/error-report", headers=owner.headers)
    assert no_report.status_code == 404


async def test_a_queued_job_is_cancelled_once(client: httpx.AsyncClient, sign_up: SignUp) -> None:
    owner = await sign_up()
    accepted = await upload(client, owner.headers, import_csv(3))
    job_id = accepted.json()["job"]["id"]
    cancelled = await client.post(f"/api/v1/jobs/{job_id}/cancel", headers=owner.headers)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    again = await client.post(f"/api/v1/jobs/{job_id}/cancel", headers=owner.headers)
    assert again.status_code == 409
    assert again.json()["type"].endswith("job_already_finished")
