"""The outbox dispatcher counts the workflows it could not start — Temporal unreachable here — by workflow type,
unknown kinds included under one label, and never raises for them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from keel.infrastructure.metrics.adapters import PrometheusWorkflowMetrics
from keel.infrastructure.metrics.registry import KeelMetrics
from keel.infrastructure.outbox import PendingMessage
from keel.infrastructure.temporal.client import TemporalConnector, TemporalUnavailable
from keel.infrastructure.temporal.dispatcher import TemporalOutboxDispatcher
from keel.settings import TemporalSettings


def pending(kind: str) -> PendingMessage:
    return PendingMessage(
        id=uuid.uuid4(), kind=kind, tenant_id=uuid.uuid4(), payload={}, created_at=datetime.now(UTC), attempts=0
    )


async def test_starts_that_temporal_never_received_are_counted_as_failures() -> None:
    metrics = KeelMetrics()
    unreachable = TemporalConnector(TemporalSettings(address="127.0.0.1:1", connect_timeout_seconds=1.0))
    dispatcher = TemporalOutboxDispatcher(
        unreachable, email_task_queue="unused", metrics=PrometheusWorkflowMetrics(metrics)
    )

    outcomes = await dispatcher.dispatch([pending("send_email"), pending("send_email"), pending("from_the_future")])

    assert [type(outcome) for outcome in outcomes] == [TemporalUnavailable] * 3
    sample = metrics.registry.get_sample_value
    assert sample("keel_workflow_failures_total", {"workflow": "SendEmail"}) == 2
    assert sample("keel_workflow_failures_total", {"workflow": "unknown"}) == 1
    assert sample("keel_workflow_starts_total", {"workflow": "SendEmail"}) is None
