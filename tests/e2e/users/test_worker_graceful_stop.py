"""The worker's stop: polling ends, a running activity gets the grace period to finish (its result reaches the
workflow), and one that outlives the grace period is cancelled so that the process can end."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from dependency_injector import providers
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
from welcome_support import with_temporal

from keel.application.email.ports import DeliveryOutcome, DeliveryStatus, EmailRequest, EmailTemplate
from keel.container import build_container
from keel.infrastructure.temporal.workflows.email import SendEmailWorkflow, email_workflow_id
from keel.presentation.worker import serve_worker
from keel.settings import Settings
from support.temporal import TEMPORAL_GROUP, DevServer

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.xdist_group(TEMPORAL_GROUP)]


class HeldDelivery:
    """A ``DeliverEmail`` that holds each message until released, noting whether it was cancelled meanwhile."""

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.release = asyncio.Event()
        self.cancelled = False

    async def __call__(self, request: EmailRequest) -> DeliveryOutcome:
        self.started.set()
        try:
            await self.release.wait()
        except asyncio.CancelledError:
            self.cancelled = True
            raise
        return DeliveryOutcome(message_id=request.message_id, status=DeliveryStatus.SENT, attempts=1)


async def _start_held_delivery(
    settings: Settings, delivery: HeldDelivery
) -> tuple[asyncio.Event, asyncio.Task[None], Client, str]:
    container = build_container(settings)
    container.email_delivery.override(providers.Object(delivery))
    stop, ready = asyncio.Event(), asyncio.Event()
    worker = asyncio.create_task(serve_worker(container, stop, ready=ready.set))
    await asyncio.wait_for(ready.wait(), 30)
    client = await Client.connect(settings.temporal.address)
    request = EmailRequest(
        message_id=uuid.uuid4(), template=EmailTemplate.WELCOME, tenant_id=uuid.uuid4(), recipient_user_id=uuid.uuid4()
    )
    workflow_id = email_workflow_id(request.message_id)
    await client.start_workflow(
        SendEmailWorkflow.run, request, id=workflow_id, task_queue=settings.temporal.email_task_queue
    )
    await asyncio.wait_for(delivery.started.wait(), 30)
    return stop, worker, client, workflow_id


async def test_a_running_activity_finishes_within_the_grace_period(
    settings: Settings, temporal_dev_server: DevServer
) -> None:
    settings = with_temporal(settings, temporal_dev_server.address)  # a 5 s grace period
    delivery = HeldDelivery()
    stop, worker, client, workflow_id = await _start_held_delivery(settings, delivery)

    stop.set()
    await asyncio.sleep(0.5)
    assert not worker.done()  # waiting for the activity, not cutting it off
    delivery.release.set()
    await asyncio.wait_for(worker, 30)

    assert not delivery.cancelled
    # Its completion reached Temporal (the workflow goes on with it when a worker polls again).
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    assert EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED in {event.event_type for event in history.events}


async def test_an_activity_outliving_the_grace_period_is_cancelled(
    settings: Settings, temporal_dev_server: DevServer
) -> None:
    quick = with_temporal(settings, temporal_dev_server.address)
    quick = quick.model_copy(
        update={"temporal": quick.temporal.model_copy(update={"worker_shutdown_grace_seconds": 0.2})}
    )
    delivery = HeldDelivery()
    stop, worker, _client, _workflow_id = await _start_held_delivery(quick, delivery)

    stop.set()
    await asyncio.wait_for(worker, 30)

    assert delivery.cancelled
