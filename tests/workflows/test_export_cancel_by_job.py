"""Cancelling an export job reaches its workflow on the dev server: ``TemporalJobWorkflows`` derives the workflow id
from the job's kind (``export-<job id>``), and the running export is cancelled, finishing the job as ``cancelled``."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
from scripted_export import ScriptedExport
from temporalio.client import WorkflowFailureError
from temporalio.exceptions import CancelledError
from temporalio.worker import Worker

from keel.application.jobs import Job, JobKind, JobRef, JobStatus
from keel.infrastructure.temporal.client import TemporalConnector
from keel.infrastructure.temporal.job_workflows import TemporalJobWorkflows
from keel.infrastructure.temporal.workflows.exports import ExportUsersWorkflow, export_workflow_id
from keel.settings import TemporalSettings
from support.temporal import TEMPORAL_GROUP, DevServer


@pytest.mark.xdist_group(TEMPORAL_GROUP)
async def test_cancelling_an_export_job_cancels_its_running_workflow(temporal_dev_server: DevServer) -> None:
    connector = TemporalConnector(TemporalSettings(address=temporal_dev_server.address, connect_timeout_seconds=5.0))
    client = await connector.client()
    task_queue = f"export-cancel-{uuid.uuid4()}"
    ref = JobRef(job_id=uuid.uuid4(), tenant_id=uuid.uuid4())
    job = Job(
        id=ref.job_id, tenant_id=ref.tenant_id, kind=JobKind.EXPORT, status=JobStatus.CANCELLED,
        requested_by=uuid.uuid4(), created_at=datetime.now(UTC),
    )  # fmt: skip
    scripted = ScriptedExport(10, block=True)
    async with Worker(client, task_queue=task_queue, workflows=[ExportUsersWorkflow], activities=scripted.activities()):
        handle = await client.start_workflow(
            ExportUsersWorkflow.run, ref, id=export_workflow_id(ref.job_id), task_queue=task_queue
        )
        await asyncio.wait_for(scripted.blocked.wait(), 30)

        await TemporalJobWorkflows(connector).cancel(job)

        with pytest.raises(WorkflowFailureError) as failure:
            await asyncio.wait_for(handle.result(), 30)

    assert isinstance(failure.value.cause, CancelledError)
    assert [end.status for end in scripted.ends] == [JobStatus.CANCELLED]
    assert scripted.finishes == []
