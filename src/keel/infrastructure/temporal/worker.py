"""The Temporal workers of the ``keel worker`` process: which workflows and activities poll which task queue.

``build_workers`` is called with a connected client. The email task queue is polled only when a ``DeliverEmail`` is
given: without one, ``SendEmail`` workflows wait in Temporal (nothing is lost) until a worker that can deliver runs.

Interceptors: the client's (the OpenTelemetry ``TracingInterceptor`` when tracing is on) apply to the workers built on
it — the SDK adds them — and ``interceptors`` adds the workers' own (``WorkflowFailureCounting``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from temporalio.client import Client
from temporalio.worker import Interceptor, Worker

from keel.application.email.ports import DeliverEmail
from keel.infrastructure.temporal.activities.email import EmailActivities
from keel.infrastructure.temporal.workflows.email import SendEmailWorkflow
from keel.settings import TemporalSettings


def build_workers(
    client: Client,
    *,
    settings: TemporalSettings,
    deliver_email: DeliverEmail | None,
    interceptors: Sequence[Interceptor] = (),
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
    return workers
