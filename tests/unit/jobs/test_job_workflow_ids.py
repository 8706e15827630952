"""Which workflow runs a job: the id the relay starts it under is the id a cancel asks Temporal to stop."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from keel.application.jobs import Job, JobKind, JobStatus, start_job_message
from keel.application.outbox import MessageKind
from keel.infrastructure.temporal.job_workflows import workflow_id_of


@pytest.mark.parametrize(
    ("kind", "message", "prefix"),
    [(JobKind.IMPORT, MessageKind.START_IMPORT, "import-"), (JobKind.EXPORT, MessageKind.START_EXPORT, "export-")],
)
def test_each_kind_of_job_has_its_start_message_and_workflow_id(
    kind: JobKind, message: MessageKind, prefix: str
) -> None:
    job = Job(
        id=uuid.uuid4(), tenant_id=uuid.uuid4(), kind=kind, status=JobStatus.QUEUED, requested_by=uuid.uuid4(),
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )  # fmt: skip

    start = start_job_message(job)

    assert (start.id, start.kind) == (job.id, message)
    assert workflow_id_of(job) == f"{prefix}{job.id}"
