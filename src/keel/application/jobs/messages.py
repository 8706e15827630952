"""The outbox messages of jobs: ``start_import`` and ``start_export`` start a job's workflow; ``send_email`` (the
``job_finished`` email) tells the requester it is over.

A start message's id is the job's id, so the workflow id derived from it (``import-<job id>``, ``export-<job id>``)
names the job: a second dispatch is a no-op, and cancelling finds the workflow from the job alone. Its payload is
``{"job_id": "...", "tenant_id": "..."}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from keel.application.email.ports import EmailRequest, EmailTemplate
from keel.application.jobs.job import Job, JobKind
from keel.application.outbox.email import InvalidOutboxPayload, send_email_message
from keel.application.outbox.messages import JsonValue, MessageKind, OutboxMessage

_START_KINDS = {JobKind.IMPORT: MessageKind.START_IMPORT, JobKind.EXPORT: MessageKind.START_EXPORT}
"""The kinds of job a workflow runs, and the message that starts it."""


@dataclass(frozen=True, slots=True)
class JobRef:
    """Which job a workflow or an activity works on: ids only."""

    job_id: UUID
    tenant_id: UUID


def start_job_message(job: Job) -> OutboxMessage:
    if job.kind not in _START_KINDS:
        raise ValueError(f"no workflow runs {job.kind.value} jobs")
    return OutboxMessage(
        id=job.id,
        kind=_START_KINDS[job.kind],
        tenant_id=job.tenant_id,
        payload={"job_id": str(job.id), "tenant_id": str(job.tenant_id)},
        created_at=job.created_at,
    )


def job_ref_from_payload(payload: Mapping[str, JsonValue]) -> JobRef:
    """The job a start message names; ``InvalidOutboxPayload`` naming the bad field."""
    return JobRef(job_id=_uuid(payload, "job_id"), tenant_id=_uuid(payload, "tenant_id"))


def job_finished_email(job: Job, message_id: UUID, now: datetime) -> OutboxMessage:
    """The ``job_finished`` email to the job's requester (for a succeeded or failed job)."""
    request = EmailRequest(
        message_id=message_id,
        template=EmailTemplate.JOB_FINISHED,
        tenant_id=job.tenant_id,
        recipient_user_id=job.requested_by,
        context={"job_id": str(job.id), "job_name": job.kind.display_name, "job_status": job.status.value},
    )
    return send_email_message(request, created_at=now)


def _uuid(payload: Mapping[str, JsonValue], name: str) -> UUID:
    value = payload.get(name)
    if not isinstance(value, str):
        raise InvalidOutboxPayload(f"job payload: {name!r} must be a UUID string")
    try:
        return UUID(value)
    except ValueError:
        raise InvalidOutboxPayload(f"job payload: {name!r} is not a UUID: {value!r}") from None
