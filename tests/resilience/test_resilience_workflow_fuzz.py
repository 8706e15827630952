"""Scenario 9 — bad input: the CSV importer fuzzed over HTTP, each accepted file imported to its end.

Hypothesis sends ``POST /api/v1/users/imports`` files of every kind (``support.private_csv``): plausible ones with
header variants, broken quoting, huge fields, UTF-16 / Latin-1 / BOM encodings, and random bytes. Each answer is
either a refusal up front — 413 or 422 with an RFC 9457 problem naming what is wrong, never a 5xx — or ``202`` with a
job, which the test then runs to its end through the worker's use cases (without Temporal: what matters here is what
the importer makes of the bytes). An accepted file loses no row: its ``total`` is the number of rows Python's ``csv``
reads in it (where ``csv`` can read it), the job ``succeeded`` with ``processed == total == succeeded + failed``,
exactly ``succeeded`` users were created in the tenant, and the error report has one line per failed row.

Every operation of the OpenAPI document is fuzzed on its own, authenticated, by
``tests/security/test_openapi_fuzzing.py``; sequences of linked operations by ``test_resilience_workflow_stateful.py``.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Final

import httpx
import pytest
from anyio.from_thread import start_blocking_portal
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from sqlalchemy import func, select

from keel.application.jobs import JobRef
from keel.container import Container
from keel.infrastructure.database.models.users import users_table
from keel.settings import Settings
from support.app import serving
from support.private_csv import HEADER, csv_uploads
from support.private_flows import count, sign_up_owner
from support.private_import import run_import
from support.resilience import Figures, RecordFigures

pytestmark = pytest.mark.resilience

EXAMPLES: Final = 60
MAX_BYTES: Final = 64 * 1024
"""The import's size limit in this test (``KEEL_JOBS__IMPORT_MAX_BYTES``): a huge field passes it."""
CHUNK_SIZE: Final = 4
"""Small, so that a file of a dozen rows is imported in several chunks."""
REFUSALS: Final = {
    413: {"import_file_too_large", "content_too_large"},
    422: {"import_not_utf8", "import_header_invalid", "import_file_empty", "invalid_import_file"},
}
GOOD_ROW: Final = "ada@fuzz.example,ada,Ada Lovelace,member"
STRAY_QUOTES: Final = f'ann@fuzz.example,ann,Ann 5" tall,member\n{GOOD_ROW}\ncy@fuzz.example,cy,Cy 6" tall,member\n'
"""Three rows, two with a quote inside an unquoted field (once counted as one row, the other two lost)."""


@pytest.fixture
def settings(settings: Settings) -> Settings:
    jobs = settings.jobs.model_copy(update={"import_max_bytes": MAX_BYTES, "import_chunk_size": CHUNK_SIZE})
    return settings.model_copy(update={"jobs": jobs})


@dataclass
class _Tenant:
    """The fuzzed tenant: the app's client and container, its owner's headers, and what the uploads came to."""

    http: httpx.AsyncClient
    container: Container
    database_url: str
    headers: dict[str, str] = field(default_factory=dict)
    tenant_id: uuid.UUID = field(default_factory=uuid.uuid4)
    answers: Counter[int] = field(default_factory=Counter)
    rows: Counter[str] = field(default_factory=Counter)

    async def sign_up(self) -> None:
        self.tenant_id, self.headers = await sign_up_owner(self.http, "fuzz")

    async def users(self) -> int:
        statement = select(func.count()).select_from(users_table).where(users_table.c.tenant_id == self.tenant_id)
        return await count(self.database_url, statement)

    async def upload(self, content: bytes) -> None:
        """Upload ``content``: a clear refusal, or a job run to its end with every row accounted for."""
        files = {"file": ("users.csv", content, "text/csv")}
        response = await self.http.post("/api/v1/users/imports", headers=self.headers, files=files)
        self.answers[response.status_code] += 1
        if response.status_code == 202:
            await self._check_import(response.json()["job"], content)
            return
        assert response.status_code in REFUSALS, f"{response.status_code} {response.text} for {content[:300]!r}"
        assert response.headers["content-type"].startswith("application/problem+json")
        problem = response.json()
        assert problem["code"] in REFUSALS[response.status_code], problem
        assert problem["status"] == response.status_code
        assert problem["detail"]

    async def _check_import(self, job: dict[str, Any], content: bytes) -> None:
        total, in_file = job["progress"]["total"], _rows_in(content)
        assert total >= 1
        assert in_file in {total, None}, (f"{in_file} rows in the file, {total} counted", content[:300])
        before = await self.users()
        await run_import(self.container, JobRef(uuid.UUID(job["id"]), self.tenant_id), chunk_size=CHUNK_SIZE)
        view = (await self.http.get(f"/api/v1/jobs/{job['id']}", headers=self.headers)).json()
        progress, evidence = view["progress"], (view, content[:300])
        self.rows.update(total=total, succeeded=progress["succeeded"], failed=progress["failed"])
        self.rows["lost"] += (in_file or total) - progress["succeeded"] - progress["failed"]
        assert view["status"] == "succeeded", evidence
        assert progress["processed"] == total, evidence
        assert progress["succeeded"] + progress["failed"] == total, evidence
        assert await self.users() - before == progress["succeeded"], evidence
        if progress["failed"] == 0:
            assert view["error_report_url"] is None, evidence
            return
        report = await self.http.get(view["error_report_url"], headers=self.headers)
        assert report.status_code == 200, report.text
        lines = list(csv.reader(io.StringIO(report.text)))
        assert lines[0] == ["line", "field", "error"]
        assert len(lines) - 1 == progress["failed"], (lines, content[:300])
        assert len({line[0] for line in lines[1:]}) == progress["failed"], (lines, content[:300])


def _rows_in(content: bytes) -> int | None:
    """The data rows of an accepted file as Python's ``csv`` reads it (lines end with ``\\n``; blank ones skipped), or
    ``None`` where ``csv`` cannot read it (a carriage return outside quotes)."""
    text = content.decode("utf-8-sig")
    try:
        rows = [row for row in csv.reader(io.StringIO(text, newline="\n"), strict=False) if row]
    except csv.Error:
        return None
    return len(rows) - 1


def test_any_csv_upload_is_refused_with_a_clear_problem_or_imported_with_every_row_accounted_for(
    settings: Settings, resilience_figures: RecordFigures
) -> None:
    """Synchronous, for Hypothesis: the app runs on a loop of its own (a portal), each example is one call to it."""
    with (
        start_blocking_portal() as portal,
        portal.wrap_async_context_manager(serving(settings)) as (http, container),
    ):
        tenant = _Tenant(http, container, settings.database.url)
        portal.call(tenant.sign_up)

        @given(content=csv_uploads)
        @example(content=f"{HEADER}\n{GOOD_ROW}\n".encode())
        @example(content=f"{HEADER}\nzoé@fuzz.example,zoe,Zoë,member\n".encode("latin-1"))
        @example(content=f"{HEADER}\n{GOOD_ROW}\n".encode("utf-16"))
        @example(content=f"{HEADER}\n{GOOD_ROW}\n".encode("utf-8-sig"))
        @example(content=f'{HEADER}\nbob@fuzz.example,"bob,Bob,member\n'.encode())
        @example(content=f"{HEADER}\nbob@fuzz.example,bob,{'x' * 70_000},member\n".encode())
        @example(content=b"")
        @example(content=f"{HEADER}\n{STRAY_QUOTES}".encode())
        @example(content=f"{HEADER}\r\nx@fuzz.example,x1,X,member\rnext@fuzz.example,n1,N,member\r\n".encode())
        @example(
            content=f"{HEADER}\nnul@fuzz.example,nul,Nul,wiz\x00ard\nsp@fuzz.example,sp,S\u2028P,member\n".encode()
        )
        @hypothesis_settings(
            max_examples=EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def upload(content: bytes) -> None:
            portal.call(tenant.upload, content)

        upload()

    answers, rows = tenant.answers, tenant.rows
    assert answers[500] == 0
    resilience_figures(
        Figures(
            scenario="9. Bad input: CSV importer fuzzed",
            sent=answers.total(),
            ok=answers[202],
            client_errors=sum(n for status, n in answers.items() if 400 <= status < 500),
            server_errors=sum(n for status, n in answers.items() if status >= 500),
            lost=rows["lost"],
            notes=f"answers {dict(sorted(answers.items()))}; accepted files: {rows['total']} rows, "
            f"{rows['succeeded']} created + {rows['failed']} reported as errors",
        )
    )
