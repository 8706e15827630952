"""``POST /api/v1/users/imports`` with the form field ``send_welcome_email``: kept in the job's parameters (where the
import's chunks read it), off when absent, and a value that is not a boolean is refused."""

from __future__ import annotations

import inspect
from uuid import UUID

import httpx
import pytest
from import_support import import_csv

from keel.application.jobs import Job
from support.api import SignUp

pytestmark = [pytest.mark.e2e]


async def _upload(client: httpx.AsyncClient, headers: dict[str, str], form: dict[str, str]) -> httpx.Response:
    files = {"file": ("users.csv", import_csv(2), "text/csv")}
    return await client.post("/api/v1/users/imports", headers=headers, files=files, data=form)


async def _job(client: httpx.AsyncClient, job_id: str) -> Job:
    get_any_job = client._transport.app.state.container.get_any_job()  # type: ignore[attr-defined]
    if inspect.isawaitable(get_any_job):
        get_any_job = await get_any_job
    job: Job = await get_any_job(UUID(job_id))
    return job


@pytest.mark.parametrize(
    ("form", "expected"),
    [({}, False), ({"send_welcome_email": "false"}, False), ({"send_welcome_email": "true"}, True)],
)
async def test_the_welcome_email_choice_is_kept_with_the_job(
    client: httpx.AsyncClient, sign_up: SignUp, form: dict[str, str], expected: bool
) -> None:
    owner = await sign_up()

    accepted = await _upload(client, owner.headers, form)

    assert accepted.status_code == 202, accepted.text
    job = await _job(client, accepted.json()["job"]["id"])
    assert job.parameters == {"send_welcome_email": expected}


async def test_a_welcome_email_choice_that_is_not_a_boolean_is_refused(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    owner = await sign_up()

    refused = await _upload(client, owner.headers, {"send_welcome_email": "perhaps"})

    assert refused.status_code == 422, refused.text
    assert "send_welcome_email" in refused.text
