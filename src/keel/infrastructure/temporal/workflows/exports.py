"""``ExportUsersWorkflow``: write an export's file, then finish the job with it (counts, result, email).

One workflow per job, id ``export-<job id>``, on the jobs task queue. Steps:

1. ``start_job`` moves the job to ``running``; ``None`` means the job ended before the workflow ran (cancelled).
2. ``export_users`` writes the whole file, page by page, heartbeating; ``None`` means the job was cancelled while it
   ran (the export saw it between pages and dropped the file). A retried attempt writes the whole file again.
3. ``finish_export`` finishes the job as ``succeeded`` with the file's key and its number of rows, and the
   ``job_finished`` email.

Only ids, a file key and counts enter the history. Failures and cancellation end the job as the import's workflow does:
an activity failing for good finishes the job ``failed`` with the reason and fails the workflow; cancelling the workflow
finishes the job ``cancelled`` (a no-op when the API did it first) and ends it cancelled.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final
from uuid import UUID

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    # The defining modules themselves (not the package): the payload converter reads their type hints there.
    from keel.application.jobs.job import JobStatus
    from keel.application.jobs.messages import JobRef
    from keel.application.jobs.start_job import JobStart
    from keel.infrastructure.temporal.activities.exports import ExportActivities, ExportFinish, ExportOutcome
    from keel.infrastructure.temporal.activities.jobs import JobActivities
    from keel.infrastructure.temporal.workflows.jobs import STEP_RETRY_POLICY, STEP_TIMEOUT, run_job

EXPORT_WORKFLOW_ID_PREFIX: Final = "export-"
EXPORT_TIMEOUT: Final = timedelta(hours=2)
"""How long one attempt of ``export_users`` may take (a million users take well under a minute)."""
EXPORT_HEARTBEAT_TIMEOUT: Final = timedelta(seconds=30)


def export_workflow_id(job_id: UUID) -> str:
    return f"{EXPORT_WORKFLOW_ID_PREFIX}{job_id}"


@workflow.defn(name="ExportUsers")
class ExportUsersWorkflow:
    @workflow.run
    async def run(self, job: JobRef) -> JobStatus | None:
        return await run_job(job, "Export", self._export(job))

    async def _export(self, job: JobRef) -> JobStatus | None:
        start: JobStart | None = await workflow.execute_activity_method(
            JobActivities.start_job, job, start_to_close_timeout=STEP_TIMEOUT, retry_policy=STEP_RETRY_POLICY
        )
        if start is None:
            return None
        outcome: ExportOutcome | None = await workflow.execute_activity_method(
            ExportActivities.export_users,
            job,
            start_to_close_timeout=EXPORT_TIMEOUT,
            heartbeat_timeout=EXPORT_HEARTBEAT_TIMEOUT,
            retry_policy=STEP_RETRY_POLICY,
        )
        if outcome is None:
            return None
        return await workflow.execute_activity_method(
            ExportActivities.finish_export,
            ExportFinish(job, outcome.result_key, outcome.rows),
            start_to_close_timeout=STEP_TIMEOUT,
            retry_policy=STEP_RETRY_POLICY,
        )
