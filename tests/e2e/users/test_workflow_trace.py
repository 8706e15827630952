"""A workflow started from a request continues the request's trace: API (server span) → outbox row (traceparent) →
the worker's relay starts ``SendEmail`` under that context → the workflow and its activity, on the Temporal dev
server, record spans of the same trace. Both processes' spans go to in-memory exporters."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from dependency_injector import providers
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from test_tracing import trace_of, traced
from welcome_support import STOP_SECONDS, with_temporal

from fakes.deliver_email import FakeDeliverEmail
from keel.container import Container, build_container
from keel.presentation.worker import serve_worker
from keel.settings import Settings
from support.api import SignUp
from support.temporal import TEMPORAL_GROUP, DevServer
from support.waiting import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.xdist_group(TEMPORAL_GROUP)]


@pytest.fixture
def settings(settings: Settings, temporal_dev_server: DevServer) -> Settings:
    return traced(with_temporal(settings, temporal_dev_server.address))


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def container(settings: Settings, exporter: InMemorySpanExporter) -> Container:
    container = build_container(settings)
    container.span_processor.override(providers.Object(SimpleSpanProcessor(exporter)))
    return container


@asynccontextmanager
async def traced_worker(
    settings: Settings, deliver: FakeDeliverEmail, exporter: InMemorySpanExporter
) -> AsyncIterator[Container]:
    container = build_container(settings)
    container.email_delivery.override(providers.Object(deliver))
    container.span_processor.override(providers.Object(SimpleSpanProcessor(exporter)))
    stop = asyncio.Event()
    worker = asyncio.create_task(serve_worker(container, stop))
    try:
        yield container
    finally:
        stop.set()
        await asyncio.wait_for(worker, STOP_SECONDS)


async def test_the_welcome_workflow_continues_the_trace_of_the_sign_up_request(
    client: object, sign_up: SignUp, settings: Settings, exporter: InMemorySpanExporter
) -> None:
    await sign_up()
    request_span, _ = trace_of(exporter.get_finished_spans(), "POST /api/v1/tenants")
    assert request_span.context is not None
    trace_id = request_span.context.trace_id

    worker_spans = InMemorySpanExporter()
    deliver = FakeDeliverEmail()
    async with traced_worker(settings, deliver, worker_spans) as worker, asyncio.timeout(60):
        await deliver.wait_for_sent(1)

        async def activity_span_ended() -> bool:
            return any(span.name == "RunActivity:deliver_email" for span in worker_spans.get_finished_spans())

        await wait_until(activity_span_ended, within=30, what="the activity's span")
        starts = worker.metrics().registry.get_sample_value("keel_workflow_starts_total", {"workflow": "SendEmail"})
        assert starts == 1

    in_trace = {
        span.name: span
        for span in worker_spans.get_finished_spans()
        if span.context is not None and span.context.trace_id == trace_id
    }
    assert {"StartWorkflow:SendEmail", "RunWorkflow:SendEmail", "RunActivity:deliver_email"} <= set(in_trace), sorted(
        in_trace
    )
    # the relay's start is a child of the request's server span, carried across processes by the outbox row
    start = in_trace["StartWorkflow:SendEmail"]
    assert start.parent is not None
    assert start.parent.is_remote
    assert start.parent.span_id == request_span.context.span_id
