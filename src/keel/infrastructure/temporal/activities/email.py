"""The email activity: deliver one requested message through the email subsystem's ``DeliverEmail``.

Errors decide retries. ``TransientEmailError`` propagates as it is: a retryable failure whose type name is
``TransientEmailError``. ``PermanentEmailError`` becomes a non-retryable ``ApplicationError`` of type
``PermanentEmailError`` (also listed in the workflow's ``non_retryable_error_types``) carrying the attempt number, so
the workflow can report how many attempts the message took.
"""

from __future__ import annotations

from typing import Final

import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from keel.application.email.ports import DeliverEmail, DeliveryOutcome, EmailRequest, PermanentEmailError

logger = structlog.get_logger(__name__)

PERMANENT_EMAIL_ERROR: Final = "PermanentEmailError"
"""Type name of the non-retryable failure a permanent delivery error becomes."""


class EmailActivities:
    def __init__(self, deliver_email: DeliverEmail) -> None:
        self._deliver_email = deliver_email

    @activity.defn(name="deliver_email")
    async def deliver_email(self, request: EmailRequest) -> DeliveryOutcome:
        attempt = activity.info().attempt
        log = logger.bind(message_id=str(request.message_id), template=request.template.value, attempt=attempt)
        try:
            outcome = await self._deliver_email(request)
        except PermanentEmailError as error:
            log.warning("email.delivery_failed_permanently", error=str(error))
            raise ApplicationError(str(error), attempt, type=PERMANENT_EMAIL_ERROR, non_retryable=True) from error
        log.info("email.delivered", status=outcome.status.value)
        return outcome
