"""``SendEmailWorkflow``: deliver one requested email, retrying transient failures with exponential backoff.

One workflow per message, with the id ``email-<message_id>``, on the email task queue. Its one activity,
``deliver_email``, is retried while it fails with ``TransientEmailError`` (or times out): every
``DELIVERY_RETRY_INITIAL_INTERVAL``, doubling up to ``DELIVERY_RETRY_MAX_INTERVAL``, for at most ``DELIVERY_DEADLINE``
in all. Outcomes:

* delivered (or found delivered already): the ``DeliveryOutcome`` with status ``sent``;
* refused for good (``PermanentEmailError``: a 5xx, a bad address, no such template): no retry; the workflow completes
  with status ``failed`` — the message is settled, the delivery record says why;
* still failing at the deadline: the workflow fails with an ``ApplicationError`` of type ``EmailNotDelivered`` naming
  the message and the last error.

Changing these constants affects activities scheduled afterwards only; they are not part of the replayed history.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final
from uuid import UUID

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError
from temporalio.exceptions import TimeoutError as TemporalTimeoutError

with workflow.unsafe.imports_passed_through():
    from keel.application.email.ports import DeliveryOutcome, DeliveryStatus, EmailRequest
    from keel.infrastructure.temporal.activities.email import PERMANENT_EMAIL_ERROR, EmailActivities

EMAIL_WORKFLOW_ID_PREFIX: Final = "email-"
EMAIL_NOT_DELIVERED: Final = "EmailNotDelivered"

DELIVERY_ATTEMPT_TIMEOUT: Final = timedelta(minutes=2)
"""One attempt: render, connect, send. Longer means the SMTP server hangs; the attempt is abandoned and retried."""
DELIVERY_RETRY_INITIAL_INTERVAL: Final = timedelta(seconds=10)
DELIVERY_RETRY_MAX_INTERVAL: Final = timedelta(minutes=30)
DELIVERY_DEADLINE: Final = timedelta(hours=24)
"""All attempts together (schedule-to-close): past it, the message is reported as not delivered."""

DELIVERY_RETRY_POLICY: Final = RetryPolicy(
    initial_interval=DELIVERY_RETRY_INITIAL_INTERVAL,
    backoff_coefficient=2.0,
    maximum_interval=DELIVERY_RETRY_MAX_INTERVAL,
    maximum_attempts=0,  # unlimited: the deadline bounds them
    non_retryable_error_types=[PERMANENT_EMAIL_ERROR],
)


def email_workflow_id(message_id: UUID) -> str:
    return f"{EMAIL_WORKFLOW_ID_PREFIX}{message_id}"


@workflow.defn(name="SendEmail")
class SendEmailWorkflow:
    @workflow.run
    async def run(self, request: EmailRequest) -> DeliveryOutcome:
        try:
            return await workflow.execute_activity_method(
                EmailActivities.deliver_email,
                request,
                start_to_close_timeout=DELIVERY_ATTEMPT_TIMEOUT,
                schedule_to_close_timeout=DELIVERY_DEADLINE,
                retry_policy=DELIVERY_RETRY_POLICY,
            )
        except ActivityError as error:
            cause = error.cause
            if isinstance(cause, ApplicationError) and cause.type == PERMANENT_EMAIL_ERROR:
                workflow.logger.warning("Email %s refused for good: %s", request.message_id, cause.message)
                return DeliveryOutcome(
                    message_id=request.message_id, status=DeliveryStatus.FAILED, attempts=_attempts(cause)
                )
            raise ApplicationError(
                f"Email {request.message_id} was not delivered: {_describe(cause)}",
                type=EMAIL_NOT_DELIVERED,
                non_retryable=True,
            ) from error


def _attempts(error: ApplicationError) -> int:
    details = error.details
    return details[0] if details and isinstance(details[0], int) else 1


def _describe(cause: BaseException | None) -> str:
    if isinstance(cause, TemporalTimeoutError):
        last = cause.cause
        last_error = f"; last error: {last}" if last is not None else ""
        return f"still failing after {DELIVERY_DEADLINE} ({cause.type.name if cause.type else 'timeout'}){last_error}"
    return str(cause) if cause is not None else "unknown failure"
