"""The Prometheus text exposition of a registry, optionally behind a bearer token: for the API's ``/metrics`` route
and for the worker's own metrics endpoint (a small HTTP server on a thread)."""

from __future__ import annotations

import hmac
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from wsgiref.simple_server import WSGIServer, make_server

import structlog
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.exposition import ThreadingWSGIServer, _SilentHandler
from pydantic import SecretStr

logger = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class MetricsPage:
    status: int
    body: bytes
    content_type: str
    headers: dict[str, str]


class MetricsExposition:
    def __init__(self, registry: CollectorRegistry, *, bearer_token: SecretStr | str | None = None) -> None:
        self._registry = registry
        if isinstance(bearer_token, SecretStr):
            bearer_token = bearer_token.get_secret_value()
        self._expected = None if bearer_token is None else f"Bearer {bearer_token}".encode()

    def authorised(self, authorization: str | None) -> bool:
        if self._expected is None:
            return True
        return authorization is not None and hmac.compare_digest(authorization.encode(), self._expected)

    def render(self, authorization: str | None) -> MetricsPage:
        """The text format (200), or 401 with ``WWW-Authenticate`` when a token is required and not given."""
        if not self.authorised(authorization):
            return MetricsPage(
                401, b"a bearer token is required\n", "text/plain; charset=utf-8", {"WWW-Authenticate": "Bearer"}
            )
        return MetricsPage(200, generate_latest(self._registry), CONTENT_TYPE_LATEST, {})


type StartResponse = Callable[[str, list[tuple[str, str]]], Any]


class MetricsServer:
    """``GET /metrics`` on ``host:port`` from a daemon thread (the worker's endpoint). ``port`` 0 picks a free one."""

    def __init__(self, exposition: MetricsExposition, *, host: str, port: int) -> None:
        self._exposition = exposition
        self._server: WSGIServer = make_server(host, port, self._app, ThreadingWSGIServer, handler_class=_SilentHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="metrics-server", daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_port)

    def start(self) -> None:
        self._thread.start()
        logger.info("metrics.server.started", port=self.port)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def _app(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != "/metrics":
            start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"not found: the metrics are at /metrics\n"]
        page = self._exposition.render(environ.get("HTTP_AUTHORIZATION"))
        reason = "OK" if page.status == 200 else "Unauthorized"
        start_response(f"{page.status} {reason}", [("Content-Type", page.content_type), *page.headers.items()])
        return [page.body]
