"""``SendEmailWorkflow`` in the time-skipping server: transient failures are retried with backoff until delivery,
a permanent failure is not retried, and a message still failing at the deadline fails the workflow clearly."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowFailureError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from workflow_support import EmailWorker, welcome_request

from fakes.deliver_email import FakeDeliverEmail
from keel.application.email.ports import DeliveryStatus, PermanentEmailError, TransientEmailError
from keel.infrastructure.temporal.workflows.email import (
    DELIVERY_DEADLINE,
    DELIVERY_RETRY_MAX_INTERVAL,
    EMAIL_NOT_DELIVERED,
    SendEmailWorkflow,
    email_workflow_id,
)


async def test_transient_failures_are_retried_until_the_message_is_sent(
    time_skipping: WorkflowEnvironment, email_worker: EmailWorker, task_queue: str
) -> None:
    request = welcome_request()
    deliver = FakeDeliverEmail([TransientEmailError("421 try later")] * 3)
    async with email_worker(deliver):
        outcome = await time_skipping.client.execute_workflow(
            SendEmailWorkflow.run, request, id=email_workflow_id(request.message_id), task_queue=task_queue
        )

    assert outcome.status is DeliveryStatus.SENT
    assert outcome.message_id == request.message_id
    assert outcome.attempts == 4
    assert deliver.calls == [request.message_id] * 4
    assert deliver.sent == [request.message_id]


async def test_a_permanent_failure_is_not_retried_and_settles_the_message_as_failed(
    time_skipping: WorkflowEnvironment, email_worker: EmailWorker, task_queue: str
) -> None:
    request = welcome_request()
    deliver = FakeDeliverEmail([TransientEmailError("timeout"), PermanentEmailError("550 no such mailbox")])
    async with email_worker(deliver):
        outcome = await time_skipping.client.execute_workflow(
            SendEmailWorkflow.run, request, id=email_workflow_id(request.message_id), task_queue=task_queue
        )

    assert outcome.status is DeliveryStatus.FAILED
    assert outcome.attempts == 2
    assert deliver.calls == [request.message_id] * 2
    assert deliver.sent == []


async def test_a_message_still_failing_at_the_deadline_fails_the_workflow_naming_it(
    time_skipping: WorkflowEnvironment, email_worker: EmailWorker, task_queue: str
) -> None:
    request = welcome_request()
    deliver = FakeDeliverEmail(always=TransientEmailError("connection refused"))
    async with email_worker(deliver):
        handle = await time_skipping.client.start_workflow(
            SendEmailWorkflow.run, request, id=email_workflow_id(request.message_id), task_queue=task_queue
        )
        with pytest.raises(WorkflowFailureError) as failure:
            await handle.result()

    cause = failure.value.cause
    assert isinstance(cause, ApplicationError)
    assert cause.type == EMAIL_NOT_DELIVERED
    assert str(request.message_id) in cause.message
    assert "connection refused" in cause.message
    assert cause.non_retryable
    # Retried with backoff for the whole deadline: more than the attempts the doubling alone fits into it, and each
    # attempt's failure was a retry (the activity never succeeded).
    doublings_to_the_cap = 8
    at_the_cap = (DELIVERY_DEADLINE - 2 * DELIVERY_RETRY_MAX_INTERVAL) // DELIVERY_RETRY_MAX_INTERVAL
    assert len(deliver.calls) >= doublings_to_the_cap + at_the_cap
    assert deliver.sent == []


async def test_the_activity_is_scheduled_with_bounded_backoff_and_deadline(
    time_skipping: WorkflowEnvironment, email_worker: EmailWorker, task_queue: str
) -> None:
    request = welcome_request()
    async with email_worker(FakeDeliverEmail()):
        handle = await time_skipping.client.start_workflow(
            SendEmailWorkflow.run, request, id=email_workflow_id(request.message_id), task_queue=task_queue
        )
        await handle.result()
        history = await handle.fetch_history()

    scheduled = next(
        event.activity_task_scheduled_event_attributes
        for event in history.events
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
    )
    assert scheduled.activity_type.name == "deliver_email"
    assert scheduled.task_queue.name == task_queue
    assert scheduled.schedule_to_close_timeout.ToTimedelta() == DELIVERY_DEADLINE
    policy = scheduled.retry_policy
    assert policy.backoff_coefficient == 2.0
    assert policy.maximum_interval.ToTimedelta() == DELIVERY_RETRY_MAX_INTERVAL
    assert policy.maximum_interval.ToTimedelta() < DELIVERY_DEADLINE
    assert list(policy.non_retryable_error_types) == ["PermanentEmailError"]
    assert scheduled.start_to_close_timeout.ToTimedelta() < timedelta(minutes=10)
