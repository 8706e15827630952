"""The Temporal workers of the ``keel worker`` process: which workflows and activities poll which task queue.

``build_workers`` is called with a connected client. The email task queue is polled only when a ``DeliverEmail`` is
given: without one, ``SendEmail`` workflows wait in Temporal (nothing is lost) until a worker that can deliver runs.

Interceptors: the client's (the OpenTelemetry ``TracingInterceptor`` when tracing is on) apply to the workers built on
it — the SDK adds them — and ``interceptors`` adds the workers' own (``WorkflowFailureCounting``).

The main task queue runs the batch jobs' workflows and activities when ``job_activities`` are given (and the exports'
activities when ``export_activities`` are); the maintenance task queue runs ``MaintenanceWorkflow`` and its activities
when ``maintenance_activities`` are given.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from temporalio.client import Client
from temporalio.worker import Interceptor, Worker

from keel.application.email.ports import DeliverEmail
from keel.infrastructure.temporal.activities.email import EmailActivities
from keel.infrastructure.temporal.activities.exports import ExportActivities
from keel.infrastructure.temporal.activities.jobs import JobActivities
from keel.infrastructure.temporal.activities.maintenance import MaintenanceActivities
from keel.infrastructure.temporal.workflows.email import SendEmailWorkflow
from keel.infrastructure.temporal.workflows.exports import ExportUsersWorkflow
from keel.infrastructure.temporal.workflows.jobs import ImportUsersWorkflow
from keel.infrastructure.temporal.workflows.maintenance import MaintenanceWorkflow
from keel.settings import TemporalSettings


def build_workers(
    client: Client,
    *,
    settings: TemporalSettings,
    deliver_email: DeliverEmail | None,
    interceptors: Sequence[Interceptor] = (),
    job_activities: JobActivities | None = None,
    maintenance_activities: MaintenanceActivities | None = None,
    maintenance_task_queue: str = "keel-maintenance",
    export_activities: ExportActivities | None = None,
) -> list[Worker]:
    """One worker per task queue that has something registered; none runs until ``run()``."""
    grace = timedelta(seconds=settings.worker_shutdown_grace_seconds)
    workers: list[Worker] = []
    if deliver_email is not None:
        workers.append(
            Worker(
                client,
                task_queue=settings.email_task_queue,
                workflows=[SendEmailWorkflow],
                activities=[EmailActivities(deliver_email).deliver_email],
                graceful_shutdown_timeout=grace,
                interceptors=interceptors,
            )
        )
    if job_activities is not None:  # batch jobs: imports on the main task queue
        workers.append(
            Worker(
                client,
                task_queue=settings.task_queue,
                workflows=[ImportUsersWorkflow, ExportUsersWorkflow],
                activities=[
                    job_activities.start_job,
                    job_activities.import_chunk,
                    job_activities.finish_import,
                    job_activities.finish_job,
                    *(export_activities.methods() if export_activities is not None else ()),
                ],
                graceful_shutdown_timeout=grace,
                interceptors=interceptors,
            )
        )
    if maintenance_activities is not None:  # the maintenance schedule's runs, on their own task queue
        workers.append(
            Worker(
                client,
                task_queue=maintenance_task_queue,
                workflows=[MaintenanceWorkflow],
                activities=[maintenance_activities.purge_deleted_users, maintenance_activities.mark_stale_jobs],
                graceful_shutdown_timeout=grace,
                interceptors=interceptors,
            )
        )
    return workers
