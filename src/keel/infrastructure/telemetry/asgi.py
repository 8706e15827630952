"""The API's server spans: OpenTelemetry's ASGI middleware, with each span named after its route template."""

from __future__ import annotations

from typing import Final

from opentelemetry import trace
from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
from opentelemetry.sdk.trace import TracerProvider
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from keel.infrastructure.metrics.http import route_template

UNTRACED_PATHS: Final = r"/metrics$,/health/live$"
"""Scrapes and liveness probes: frequent, without I/O, and noise in a trace viewer (they stay counted in the metrics).
Readiness stays traced: its PostgreSQL and Redis calls would otherwise make root spans of their own."""


class TracingMiddleware:
    """A server span per request (W3C ``traceparent`` of the caller continued), named ``GET /api/v1/users/{user_id}``.

    The ASGI instrumentation names a span when the request arrives, before routing — after the raw path. Once the
    app answered, the route template is known: the span is renamed and gets ``http.route``.
    """

    def __init__(self, app: ASGIApp, *, provider: TracerProvider) -> None:
        self.app = OpenTelemetryMiddleware(
            _NameAfterRoute(app),
            tracer_provider=provider,
            excluded_urls=UNTRACED_PATHS,
            exclude_spans=["receive", "send"],
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


class _NameAfterRoute:
    """Renames the server span when the response starts (routing is done then; the span may end with the body)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        span = trace.get_current_span()

        async def send_naming_span(message: Message) -> None:
            if message["type"] == "http.response.start" and span.is_recording():
                route = route_template(scope)
                span.update_name(f"{scope['method']} {route}")
                span.set_attribute("http.route", route)
            await send(message)

        await self.app(scope, receive, send_naming_span)
