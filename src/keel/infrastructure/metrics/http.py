"""Request count and latency by route template, in a pure ASGI middleware (no request object, no body wrapping).

The route is read after the app answered, from ``scope["route"]`` (set by the router when a route matched): its
template, e.g. ``/api/v1/users/{user_id}`` — never the raw path, so the number of series is bounded by the number of
routes. A request no route matched (a 404 on an unknown path, a probe) is ``route="unmatched"``. The status is the
one sent in ``http.response.start``; a request that raised before answering counts as 500.
"""

from __future__ import annotations

import time
from typing import Final

from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from keel.infrastructure.metrics.registry import KeelMetrics

UNMATCHED: Final = "unmatched"
# Methods are a label too: anything outside the standard set is one value, so a client cannot invent series.
_METHODS: Final = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def route_template(scope: Scope) -> str:
    """The matched route's full path template, or ``"unmatched"``.

    FastAPI keeps included routers as they are and puts the route *of the router* in ``scope["route"]`` — its path
    lacks the include prefix (``/users/{user_id}`` for ``/api/v1/users/{user_id}``); the full template is on the
    route context it records under ``scope["fastapi"]``. A route of a plain Starlette router has its full path.
    """
    fastapi_scope = scope.get("fastapi")
    if isinstance(fastapi_scope, dict):
        template = getattr(fastapi_scope.get("effective_route_context"), "path_format", None)
        if isinstance(template, str) and template:
            return template
    route = scope.get("route")
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    return template if isinstance(template, str) and template else UNMATCHED


class HttpMetricsMiddleware:
    def __init__(self, app: ASGIApp, metrics: KeelMetrics) -> None:
        self.app = app
        self._requests = metrics.http_requests
        self._duration = metrics.http_request_duration
        # The labelled children, looked up once per (method, route, status): `labels()` validates and locks each call.
        # Bounded like the series themselves.
        self._children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        started = time.perf_counter()

        async def send_recording_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_recording_status)
        finally:
            elapsed = time.perf_counter() - started
            method = scope["method"]
            key = (method if method in _METHODS else "OTHER", route_template(scope), status)
            children = self._children.get(key)
            if children is None:
                children = self._children[key] = self._labelled(*key)
            children[0].inc()
            children[1].observe(elapsed)

    def _labelled(self, method: str, route: str, status: int) -> tuple[Counter, Histogram]:
        return self._requests.labels(method, route, str(status)), self._duration.labels(method, route)
