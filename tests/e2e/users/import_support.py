"""CSV files for the import tests, and waiting for a job over the API."""

from __future__ import annotations

from typing import Any

import httpx

from support.waiting import wait_until

HEADER = "email,username,full_name,roles\n"
TERMINAL = {"succeeded", "failed", "cancelled"}


def import_csv(rows: int, *, domain: str = "import.example", bad: dict[int, str] | None = None) -> bytes:
    """``rows`` valid rows (``user<n>@domain``), with the rows numbered in ``bad`` (0-based) replaced as given."""
    bad = bad or {}
    lines = [bad.get(n, f"user{n}@{domain},user{n},User {n},member\n") for n in range(rows)]
    return (HEADER + "".join(lines)).encode("utf-8")


async def upload(client: httpx.AsyncClient, headers: dict[str, str], content: bytes) -> httpx.Response:
    return await client.post(
        "/api/v1/users/imports", headers=headers, files={"file": ("users.csv", content, "text/csv")}
    )


async def wait_for_job(
    client: httpx.AsyncClient, headers: dict[str, str], job_id: str, *, within: float = 90
) -> dict[str, Any]:
    latest: dict[str, Any] = {}

    async def finished() -> bool:
        response = await client.get(f"/api/v1/jobs/{job_id}", headers=headers)
        assert response.status_code == 200, response.text
        latest.update(response.json())
        return latest["status"] in TERMINAL

    await wait_until(finished, within=within, what=f"job {job_id} to finish")
    return latest
