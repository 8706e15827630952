"""OpenTelemetry tracing, installed only when ``KEEL_OBSERVABILITY__OTLP_ENDPOINT`` is set: ``tracing`` (provider,
exporter, library instrumentation, Temporal interceptor), ``asgi`` (server spans), ``propagation`` (trace context
through the outbox). See ``docs/explanation/observability.md``."""
