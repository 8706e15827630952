"""The ``deliver_email`` activity alone (``ActivityEnvironment``): it calls ``DeliverEmail`` and turns its errors into
what Temporal's retry policy needs — transient ones retried, permanent ones not."""

from __future__ import annotations

import dataclasses

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment
from workflow_support import welcome_request

from fakes.deliver_email import FakeDeliverEmail
from keel.application.email.ports import DeliveryStatus, PermanentEmailError, TransientEmailError
from keel.infrastructure.temporal.activities.email import PERMANENT_EMAIL_ERROR, EmailActivities


def _environment(attempt: int = 1) -> ActivityEnvironment:
    environment = ActivityEnvironment()
    environment.info = dataclasses.replace(environment.info, attempt=attempt)
    return environment


async def test_a_delivered_message_returns_the_outcome_of_delivery() -> None:
    request = welcome_request()
    deliver = FakeDeliverEmail()

    outcome = await _environment().run(EmailActivities(deliver).deliver_email, request)

    assert outcome.status is DeliveryStatus.SENT
    assert outcome.message_id == request.message_id
    assert deliver.sent == [request.message_id]


async def test_a_transient_error_propagates_as_itself_so_the_retry_policy_retries_it() -> None:
    deliver = FakeDeliverEmail([TransientEmailError("451 greylisted")])

    with pytest.raises(TransientEmailError, match="451 greylisted"):
        await _environment().run(EmailActivities(deliver).deliver_email, welcome_request())


async def test_a_permanent_error_becomes_a_non_retryable_failure_carrying_the_attempt() -> None:
    deliver = FakeDeliverEmail([PermanentEmailError("550 mailbox unavailable")])

    with pytest.raises(ApplicationError) as raised:
        await _environment(attempt=3).run(EmailActivities(deliver).deliver_email, welcome_request())

    assert raised.value.type == PERMANENT_EMAIL_ERROR
    assert raised.value.non_retryable
    assert raised.value.message == "550 mailbox unavailable"
    assert raised.value.details == (3,)
    assert isinstance(raised.value.__cause__, PermanentEmailError)
