"""The tracer provider, its OTLP/HTTP exporter and the instrumentation of SQLAlchemy, Redis and httpx.

The provider is built when first asked for (the API's tracing middleware and the Temporal interceptor hold it); spans
leave the process once ``tracing_resource`` has started, which also instruments the libraries and undoes it all on
shutdown (flushing the spans still queued). Nothing here runs when tracing is off: the container neither starts the
resource nor builds the middleware or the interceptor.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence

import structlog
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.instrumentation.redis import RedisInstrumentor
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Interceptor
from temporalio.contrib.opentelemetry import TracingInterceptor

from keel.settings import ObservabilitySettings

logger = structlog.get_logger(__name__)

TRACER_NAME = "keel"


def new_tracer_provider(settings: ObservabilitySettings) -> TracerProvider:
    """A provider naming the service, sampling ``trace_sample_ratio`` of new traces (a sampled parent wins)."""
    return TracerProvider(
        resource=Resource.create({"service.name": settings.service_name}),
        sampler=ParentBased(TraceIdRatioBased(settings.trace_sample_ratio)),
    )


def otlp_span_processor(settings: ObservabilitySettings) -> SpanProcessor:
    """Batches of spans POSTed (protobuf) to ``<otlp_endpoint>/v1/traces``, off the request path."""
    if settings.otlp_endpoint is None:
        raise ValueError("KEEL_OBSERVABILITY__OTLP_ENDPOINT is not set: there is nowhere to export spans")
    return BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{settings.otlp_endpoint}/v1/traces"))


async def tracing_resource(
    provider: TracerProvider, processor: SpanProcessor, engine: AsyncEngine
) -> AsyncIterator[TracerProvider]:
    """Export the provider's spans and instrument the engine, Redis and httpx; undo it all and flush on shutdown."""
    provider.add_span_processor(processor)
    # Its declared range stops below SQLAlchemy 2.1, yet it only uses the engine's cursor events, unchanged in 2.1
    # (the tracing tests check the spans): the version check is skipped rather than the instrumentation.
    SQLAlchemyInstrumentor().instrument(engine=engine.sync_engine, tracer_provider=provider, skip_dep_check=True)
    RedisInstrumentor().instrument(tracer_provider=provider)
    HTTPXClientInstrumentor().instrument(tracer_provider=provider)
    logger.info("tracing.started")
    try:
        yield provider
    finally:
        HTTPXClientInstrumentor().uninstrument()
        RedisInstrumentor().uninstrument()
        SQLAlchemyInstrumentor().uninstrument()
        provider.shutdown()
        logger.info("tracing.stopped")


def temporal_tracing_interceptors(*, enabled: bool, provider: Callable[[], TracerProvider]) -> Sequence[Interceptor]:
    """The Temporal client's interceptors: the SDK's ``TracingInterceptor`` when tracing is on, else none.

    Workers built on that client inherit it (the SDK adds a client's worker interceptors to its workers): a workflow
    continues the trace of whoever started it, and its activities continue the workflow's.
    """
    if not enabled:
        return ()
    return (TracingInterceptor(provider().get_tracer(TRACER_NAME)),)
