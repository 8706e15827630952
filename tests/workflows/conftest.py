"""Workflow tests: the time-skipping test server (timers and retry backoffs pass at once), a fresh task queue per test,
the real workflows and activity classes with a fake ``DeliverEmail`` behind them."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable

import pytest
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from fakes.deliver_email import FakeDeliverEmail
from keel.infrastructure.temporal.activities.email import EmailActivities
from keel.infrastructure.temporal.workflows.email import SendEmailWorkflow
from support.temporal import TEST_SERVER


@pytest.fixture(scope="session")
async def time_skipping() -> AsyncIterator[WorkflowEnvironment]:
    environment = await WorkflowEnvironment.start_time_skipping(test_server_existing_path=str(TEST_SERVER))
    yield environment
    await environment.shutdown()


@pytest.fixture
def task_queue() -> str:
    return f"test-{uuid.uuid4()}"


@pytest.fixture
def email_worker(time_skipping: WorkflowEnvironment, task_queue: str) -> Callable[[FakeDeliverEmail], Worker]:
    """``async with email_worker(fake):`` — the email workflow and activity polling this test's task queue."""

    def worker(deliver: FakeDeliverEmail) -> Worker:
        return Worker(
            time_skipping.client,
            task_queue=task_queue,
            workflows=[SendEmailWorkflow],
            activities=[EmailActivities(deliver).deliver_email],
        )

    return worker
