"""The outbox dispatcher on Temporal: one workflow started per outbox row, with an id derived from the row's id.

A second start of the same id is a no-op, whoever makes it — this relay after a crash that lost its commit, or
another relay: ``USE_EXISTING`` answers with the running workflow, and ``REJECT_DUPLICATE`` refuses a new run of a
closed one (``WorkflowAlreadyStartedError``), which counts as dispatched. (A closed workflow's id is remembered for the
namespace's retention period; a row is marked dispatched in the transaction that started it, so only a commit lost
for longer than that could start it again — and ``DeliverEmail`` is idempotent per message besides.)

Each start is bounded by ``start_timeout`` seconds. The SDK retries a start for about ten seconds when Temporal stops
answering, and the relay holds its claimed rows locked meanwhile; a start cut short (``TemporalUnavailable``) is
deferred with the relay's backoff like any failed one, and a start that did reach Temporal makes the retry a no-op
(above).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, Protocol

from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from keel.application.email.ports import EmailRequest
from keel.application.jobs import JobRef, job_ref_from_payload
from keel.application.outbox import MessageKind, email_request_from_payload
from keel.infrastructure.outbox import PendingMessage
from keel.infrastructure.telemetry.propagation import carried_trace_context
from keel.infrastructure.temporal.client import TemporalConnector, TemporalUnavailable
from keel.infrastructure.temporal.workflows.email import SendEmailWorkflow, email_workflow_id
from keel.infrastructure.temporal.workflows.exports import ExportUsersWorkflow, export_workflow_id
from keel.infrastructure.temporal.workflows.jobs import ImportUsersWorkflow, import_workflow_id


class UnknownMessageKind(ValueError):
    """An outbox row of a kind no workflow handles (written by a newer version, or by hand)."""


class WorkflowStartMetrics(Protocol):
    def started(self, workflow: str) -> None: ...

    def failed(self, workflow: str) -> None: ...


class TemporalOutboxDispatcher:
    """Each start runs under the trace context the row carries (the request that wrote it), so the workflow and its
    activities join that request's trace when tracing is on. Starts and failed starts are counted per workflow."""

    def __init__(
        self,
        connector: TemporalConnector,
        *,
        email_task_queue: str,
        jobs_task_queue: str = "keel",
        metrics: WorkflowStartMetrics | None = None,
        start_timeout: float = 5.0,
    ) -> None:
        self._connector = connector
        self._start_timeout = start_timeout
        self._email_task_queue = email_task_queue
        self._jobs_task_queue = jobs_task_queue
        self._metrics = metrics

    async def dispatch(self, messages: Sequence[PendingMessage]) -> Sequence[BaseException | None]:
        try:
            client = await self._connector.client()
        except TemporalUnavailable as error:
            if self._metrics is not None:
                for message in messages:
                    self._metrics.failed(_workflow_of(message.kind))
            return [error] * len(messages)
        return await asyncio.gather(*(self._start(client, message) for message in messages), return_exceptions=True)

    async def _start(self, client: Client, message: PendingMessage) -> None:
        try:
            kind = MessageKind(message.kind)
        except ValueError:
            raise UnknownMessageKind(f"no workflow handles outbox messages of kind {message.kind!r}") from None
        workflow = _workflow_of(kind)
        try:
            try:
                async with asyncio.timeout(self._start_timeout):
                    with carried_trace_context(message.payload):
                        await self._start_kind(client, kind, message)
            except TimeoutError:
                raise TemporalUnavailable(
                    f"Temporal did not answer the start of {workflow} within {self._start_timeout:g} s"
                ) from None
        except WorkflowAlreadyStartedError:
            pass  # started before (by this relay or another): done
        except Exception:
            if self._metrics is not None:
                self._metrics.failed(workflow)
            raise
        if self._metrics is not None:
            self._metrics.started(workflow)

    async def _start_kind(self, client: Client, kind: MessageKind, message: PendingMessage) -> None:
        run: Any
        argument: EmailRequest | JobRef
        match kind:
            case MessageKind.SEND_EMAIL:
                request = email_request_from_payload(message.payload)
                run, argument, workflow_id = SendEmailWorkflow.run, request, email_workflow_id(request.message_id)
                task_queue = self._email_task_queue
            case MessageKind.START_IMPORT:
                job = job_ref_from_payload(message.payload)
                run, argument, workflow_id = ImportUsersWorkflow.run, job, import_workflow_id(job.job_id)
                task_queue = self._jobs_task_queue
            case MessageKind.START_EXPORT:
                job = job_ref_from_payload(message.payload)
                run, argument, workflow_id = ExportUsersWorkflow.run, job, export_workflow_id(job.job_id)
                task_queue = self._jobs_task_queue
        await client.start_workflow(
            run,
            argument,
            id=workflow_id,
            task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        )


_WORKFLOWS = {
    MessageKind.SEND_EMAIL.value: "SendEmail",
    MessageKind.START_IMPORT.value: "ImportUsers",
    MessageKind.START_EXPORT.value: "ExportUsers",
}
"""The workflow each kind starts, as named in metrics (a fixed set: one label value per kind)."""


def _workflow_of(kind: str) -> str:
    return _WORKFLOWS.get(kind, "unknown")
