"""What keel's observability middleware costs per request, measured in-process (no network, no server).

``python -m benchmarks.observability_overhead [--requests N] [--rounds R]`` calls one FastAPI route — a path
parameter, a tiny JSON body, the shape of ``GET /api/v1/users/{user_id}`` without its I/O — directly through ASGI,
bare and wrapped in each middleware, and prints the median time per request and the difference to the bare app:

* ``metrics``: ``HttpMetricsMiddleware`` (a counter and a histogram by route template);
* ``n+1``: ``NPlusOneDetector`` (a context variable per request; outside production only);
* ``tracing``: ``TracingMiddleware`` with a sampling provider whose spans are dropped (no exporter): the cost of making
  and naming the server span, not of exporting it (that happens on the batch processor's thread);
* ``all``: the three together, as ``create_app`` stacks them outside production with tracing on.

Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Callable

from fastapi import FastAPI
from opentelemetry.sdk.trace import TracerProvider
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from keel.infrastructure.database.statement_counter import NPlusOneDetector
from keel.infrastructure.metrics.http import HttpMetricsMiddleware
from keel.infrastructure.metrics.registry import KeelMetrics
from keel.infrastructure.telemetry.asgi import TracingMiddleware


def route_app() -> FastAPI:
    app = FastAPI()

    @app.get("/api/v1/users/{user_id}")
    async def get_user(user_id: str) -> dict[str, str]:
        return {"id": user_id}

    return app


def variants() -> dict[str, Callable[[ASGIApp], ASGIApp]]:
    def metrics(app: ASGIApp) -> ASGIApp:
        return HttpMetricsMiddleware(app, KeelMetrics())

    def n_plus_one(app: ASGIApp) -> ASGIApp:
        return NPlusOneDetector(app, threshold=25)

    def tracing(app: ASGIApp) -> ASGIApp:
        return TracingMiddleware(app, provider=TracerProvider())

    def everything(app: ASGIApp) -> ASGIApp:
        return metrics(tracing(n_plus_one(app)))

    return {"bare": lambda app: app, "metrics": metrics, "n+1": n_plus_one, "tracing": tracing, "all": everything}


def scope(number: int) -> Scope:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": f"/api/v1/users/{number}",
        "raw_path": f"/api/v1/users/{number}".encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"bench.local")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


async def receive() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


async def send(_message: Message) -> None:
    return None


async def per_request_seconds(app: ASGIApp, requests: int) -> float:
    call: Callable[[Scope, Receive, Send], object] = app
    started = time.perf_counter()
    for number in range(requests):
        await call(scope(number), receive, send)  # type: ignore[misc]
    return (time.perf_counter() - started) / requests


async def main(requests: int, rounds: int) -> None:
    apps = {name: wrap(route_app()) for name, wrap in variants().items()}
    for app in apps.values():  # warm up: first-request imports and caches
        await per_request_seconds(app, 200)
    figures: dict[str, list[float]] = {name: [] for name in apps}
    for _ in range(rounds):
        for name, app in apps.items():  # interleaved, so drift on a shared machine hits every variant alike
            figures[name].append(await per_request_seconds(app, requests))
    bare = statistics.median(figures["bare"])
    print(f"{'variant':<10} {'µs/request':>11} {'added µs':>9}")
    for name, values in figures.items():
        median = statistics.median(values)
        print(f"{name:<10} {median * 1e6:>11.1f} {(median - bare) * 1e6:>9.1f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m benchmarks.observability_overhead", description=__doc__)
    parser.add_argument("--requests", type=int, default=5000, help="requests per variant and round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds; the median is shown")
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.rounds))
