"""Scenario 9c — formula-injection cells: names that a spreadsheet would run, imported, then exported as CSV.

Hypothesis builds batches of full names that start with what a spreadsheet reads as a formula (``=``, ``+``, ``-``,
``@``, a tab or a carriage return — ``=cmd|' /C calc'!A0`` and the like) or do not, imports them through
``POST /api/v1/users/imports`` (a CSV written by Python's ``csv`` module, so quotes, commas and line breaks inside a
name are quoted), runs the import to its end through the worker's use cases, then asks for a CSV export of exactly
those users over ``POST /api/v1/users/exports`` and runs it the same way (the use cases ``ExportUsers`` and
``FinishJob`` that the worker's activities call, without Temporal), and reads the file back from
``GET /api/v1/jobs/{id}/result``.

For every user the import created, the exported cell must be the name as the API shows it, with one leading ``'``
exactly when the name starts like a formula; no cell of the file, in any column, starts like a formula; and every
user the import created is in the file once — none lost, none added.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections import Counter
from dataclasses import dataclass, field
from itertools import count as numbers
from typing import Final

import httpx
import pytest
from anyio.from_thread import start_blocking_portal
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from keel.application.jobs import (
    ExportUsers,
    FinishJobCommand,
    JobProgress,
    JobRef,
    JobStatus,
    StartJob,
)
from keel.container import Container
from keel.settings import Settings
from support.app import serving
from support.private_csv import HEADER
from support.private_flows import sign_up_owner
from support.private_import import provided, run_import
from support.resilience import Figures, RecordFigures

pytestmark = pytest.mark.resilience

EXAMPLES: Final = 25
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
PAGE_SIZE: Final = 3
"""Small, so that a batch of names is exported over several pages."""

names = st.lists(
    st.builds(
        lambda start, rest: start + rest,
        st.sampled_from([*FORMULA_STARTS, "", "A", " ="]),
        st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30),
    ),
    min_size=1,
    max_size=6,
)


@dataclass
class _Tenant:
    http: httpx.AsyncClient
    container: Container
    headers: dict[str, str] = field(default_factory=dict)
    tenant_id: uuid.UUID = field(default_factory=uuid.uuid4)
    batches: numbers[int] = field(default_factory=numbers)
    tally: Counter[str] = field(default_factory=Counter)

    async def sign_up(self) -> None:
        self.tenant_id, self.headers = await sign_up_owner(self.http, "formula")

    async def round_trip(self, full_names: list[str]) -> None:
        batch = f"b{next(self.batches)}x"  # b1x0, b1x1, …: no batch's marker begins another's usernames
        usernames = [f"{batch}{i}" for i in range(len(full_names))]
        await self._import(usernames, full_names)
        shown = await self._names_shown(batch)
        self.tally.update(sent=len(full_names), created=len(shown), refused=len(full_names) - len(shown))

        exported = await self._export(batch)
        assert sorted(exported) == sorted(shown), "every user the import created is exported once, nothing else"
        for username, name in shown.items():
            escaped = f"'{name}" if name.startswith(FORMULA_STARTS) else name
            assert exported[username]["full_name"] == escaped, (username, name)
            self.tally["escaped"] += escaped != name
        for row in exported.values():
            assert not any(cell.startswith(FORMULA_STARTS) for cell in row.values()), row

    async def _import(self, usernames: list[str], full_names: list[str]) -> None:
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerows(
            [f"{username}@formula.example", username, name, "member"]
            for username, name in zip(usernames, full_names, strict=True)
        )
        files = {"file": ("users.csv", f"{HEADER}\n{text.getvalue()}".encode(), "text/csv")}
        accepted = await self.http.post("/api/v1/users/imports", headers=self.headers, files=files)
        assert accepted.status_code == 202, accepted.text
        job = accepted.json()["job"]
        assert job["progress"]["total"] == len(full_names)
        await run_import(self.container, JobRef(uuid.UUID(job["id"]), self.tenant_id), chunk_size=len(full_names))
        view = (await self.http.get(f"/api/v1/jobs/{job['id']}", headers=self.headers)).json()
        assert view["status"] == "succeeded", view

    async def _names_shown(self, batch: str) -> dict[str, str]:
        """The batch's users as the API shows them: username → full name."""
        page = await self.http.get("/api/v1/users", headers=self.headers, params={"q": batch, "limit": 100})
        assert page.status_code == 200, page.text
        # `q` matches names too: a generated name may contain another batch's marker, so keep this batch's usernames
        items = page.json()["items"]
        return {user["username"]: user["full_name"] for user in items if user["username"].startswith(batch)}

    async def _export(self, batch: str) -> dict[str, dict[str, str]]:
        body = {"format": "csv", "filters": {"q": batch}}
        accepted = await self.http.post("/api/v1/users/exports", headers=self.headers, json=body)
        assert accepted.status_code == 202, accepted.text
        ref = JobRef(uuid.UUID(accepted.json()["job"]["id"]), self.tenant_id)
        uow, storage, clock = (
            await provided(self.container.uow_factory),
            self.container.file_storage(),
            self.container.clock(),
        )
        await StartJob(uow, storage, clock)(ref)
        written = await ExportUsers(uow, storage, clock, page_size=PAGE_SIZE)(ref)
        assert written is not None
        rows = written.rows
        finish = await provided(self.container.finish_job)
        progress = JobProgress(total=rows, processed=rows, succeeded=rows, failed=0)
        await finish(
            FinishJobCommand(job=ref, status=JobStatus.SUCCEEDED, progress=progress, result_key=written.result_key)
        )
        result = await self.http.get(f"/api/v1/jobs/{ref.job_id}/result", headers=self.headers)
        assert result.status_code == 200, result.text
        exported = list(csv.DictReader(io.StringIO(result.text, newline="")))
        assert len(exported) == rows
        return {row["username"]: row for row in exported if row["username"].startswith(batch)}


def test_formula_cells_are_escaped_on_export_and_every_imported_user_comes_back(
    settings: Settings, resilience_figures: RecordFigures
) -> None:
    """Synchronous, for Hypothesis: the app runs on a loop of its own (a portal), each example is one call to it."""
    with (
        start_blocking_portal() as portal,
        portal.wrap_async_context_manager(serving(settings)) as (http, container),
    ):
        tenant = _Tenant(http, container)
        portal.call(tenant.sign_up)

        @given(full_names=names)
        @example(full_names=["=cmd|' /C calc'!A0", "+1+1", "-2", "@SUM(A1)", "\t=1", 'Ada, "the" first'])
        @example(full_names=['=HYPERLINK("http://evil.example","x")', "plain"])
        @hypothesis_settings(
            max_examples=EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def round_trip(full_names: list[str]) -> None:
            portal.call(tenant.round_trip, full_names)

        round_trip()

    tally = tenant.tally
    assert tally["escaped"] > 0  # the examples above alone make sure escaping was exercised
    resilience_figures(
        Figures(
            scenario="9c. Formula cells: imported, then exported as CSV",
            sent=tally["sent"],
            ok=tally["created"],
            client_errors=tally["refused"],
            notes=f"{tally['escaped']} exported names escaped with a leading '; no cell of any file starts like a "
            "formula; every created user exported once",
        )
    )
