"""Workers count the workflow executions that fail, by workflow type — not those that succeed, not replays."""

from __future__ import annotations

import pytest
from temporalio.client import WorkflowFailureError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer, Worker
from workflow_support import welcome_request

from fakes.deliver_email import FakeDeliverEmail
from keel.application.email.ports import TransientEmailError
from keel.infrastructure.metrics.adapters import PrometheusWorkflowMetrics
from keel.infrastructure.metrics.registry import KeelMetrics
from keel.infrastructure.temporal.activities.email import EmailActivities
from keel.infrastructure.temporal.metrics import WorkflowFailureCounting
from keel.infrastructure.temporal.workflows.email import SendEmailWorkflow, email_workflow_id


def failures(metrics: KeelMetrics) -> float | None:
    return metrics.registry.get_sample_value("keel_workflow_failures_total", {"workflow": "SendEmail"})


async def test_a_failed_workflow_is_counted_once_and_a_successful_one_not_at_all(
    time_skipping: WorkflowEnvironment, task_queue: str
) -> None:
    metrics = KeelMetrics()
    counting = WorkflowFailureCounting(PrometheusWorkflowMetrics(metrics).failed)
    deliver = FakeDeliverEmail(always=TransientEmailError("connection refused"))
    doomed, fine = welcome_request(), welcome_request()
    async with Worker(
        time_skipping.client,
        task_queue=task_queue,
        workflows=[SendEmailWorkflow],
        activities=[EmailActivities(deliver).deliver_email],
        interceptors=[counting],
    ):
        handle = await time_skipping.client.start_workflow(
            SendEmailWorkflow.run, doomed, id=email_workflow_id(doomed.message_id), task_queue=task_queue
        )
        with pytest.raises(WorkflowFailureError):
            await handle.result()
        deliver.always = None
        await time_skipping.client.execute_workflow(
            SendEmailWorkflow.run, fine, id=email_workflow_id(fine.message_id), task_queue=task_queue
        )
    assert failures(metrics) == 1

    # replaying the failed history (as a worker does to answer a query) counts nothing more
    history = await handle.fetch_history()
    await Replayer(workflows=[SendEmailWorkflow], interceptors=[counting]).replay_workflow(
        history, raise_on_replay_failure=False
    )
    assert failures(metrics) == 1
