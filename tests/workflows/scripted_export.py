"""Scripted stand-ins for the export's activities, registered under the real activity names: an export of ``rows``
users, failures injected per attempt, and a record of what the workflow asked for."""

from __future__ import annotations

import asyncio

from temporalio import activity

from keel.application.jobs import JobRef, JobStart, JobStatus
from keel.infrastructure.temporal.activities.exports import ExportFinish, ExportOutcome
from keel.infrastructure.temporal.activities.jobs import JobEnd


class ScriptedExport:
    def __init__(
        self,
        rows: int,
        *,
        failures: list[BaseException] | None = None,
        started: bool = True,
        cancelled_meanwhile: bool = False,
        block: bool = False,
    ) -> None:
        self.rows = rows
        self.failures = failures or []
        self.started = started
        self.cancelled_meanwhile = cancelled_meanwhile
        self.block = block
        self.blocked = asyncio.Event()
        self.exports: list[JobRef] = []
        self.finishes: list[ExportFinish] = []
        self.ends: list[JobEnd] = []

    @activity.defn(name="start_job")
    async def start_job(self, job: JobRef) -> JobStart | None:
        return JobStart(offset=0, line=1) if self.started else None

    @activity.defn(name="export_users")
    async def export_users(self, job: JobRef) -> ExportOutcome | None:
        self.exports.append(job)
        if self.failures:
            raise self.failures.pop(0)
        if self.block:
            self.blocked.set()
            while True:  # until the workflow's cancellation reaches the activity
                activity.heartbeat(0)
                await asyncio.sleep(0.1)
        if self.cancelled_meanwhile:
            return None
        return ExportOutcome(result_key=f"jobs/{job.job_id}/result.csv", rows=self.rows)

    @activity.defn(name="finish_export")
    async def finish_export(self, finish: ExportFinish) -> JobStatus | None:
        self.finishes.append(finish)
        return JobStatus.SUCCEEDED

    @activity.defn(name="finish_job")
    async def finish_job(self, end: JobEnd) -> JobStatus | None:
        self.ends.append(end)
        return end.status

    def activities(self) -> list[object]:
        return [self.start_job, self.export_users, self.finish_export, self.finish_job]
