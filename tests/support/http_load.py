"""Load for the resilience suite: many requests through one ``httpx.AsyncClient``, a bounded number at a time, each
outcome kept (status, when it was sent and answered, the body when asked for) so a scenario can judge every response
by the phase it fell in.

A request that got no answer at all (refused, reset, timed out) is kept with its exception's class name: the scenario
decides whether that was allowed (a closed listener) or a lost request.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

type RequestFactory = Callable[[int], httpx.Request]
"""Builds request number ``n`` (0-based) with the client's ``build_request``."""


@dataclass(frozen=True, slots=True)
class Outcome:
    number: int
    path: str
    method: str
    sent_at: float
    answered_at: float
    status: int | None = None
    error: str | None = None
    headers: httpx.Headers = field(default_factory=httpx.Headers)
    body: Any = None

    @property
    def seconds(self) -> float:
        return self.answered_at - self.sent_at


@dataclass
class LoadReport:
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def sent(self) -> int:
        return len(self.outcomes)

    def count(self, low: int, high: int) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status is not None and low <= outcome.status <= high)

    @property
    def ok(self) -> int:
        return self.count(200, 399)

    @property
    def client_errors(self) -> int:
        return self.count(400, 499)

    @property
    def server_errors(self) -> int:
        return self.count(500, 599)

    @property
    def unanswered(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if outcome.status is None]

    def statuses(self) -> Counter[int | str]:
        return Counter(
            outcome.status if outcome.status is not None else str(outcome.error) for outcome in self.outcomes
        )

    @property
    def max_seconds(self) -> float:
        return max((outcome.seconds for outcome in self.outcomes), default=0.0)


async def send(client: httpx.AsyncClient, number: int, request: httpx.Request, *, keep_body: bool) -> Outcome:
    sent_at = time.monotonic()
    try:
        response = await client.send(request)
    except httpx.TransportError as error:
        return Outcome(number, request.url.path, request.method, sent_at, time.monotonic(), error=type(error).__name__)
    body: Any = None
    if keep_body and response.headers.get("content-type", "").endswith("json"):
        body = response.json()
    return Outcome(
        number, request.url.path, request.method, sent_at, time.monotonic(), response.status_code, None,
        response.headers, body,
    )  # fmt: skip


async def run_load(
    client: httpx.AsyncClient,
    build: RequestFactory,
    *,
    concurrency: int,
    total: int | None = None,
    until: asyncio.Event | None = None,
    keep_body: bool = False,
    report: LoadReport | None = None,
) -> LoadReport:
    """Send ``total`` requests (or requests until ``until`` is set), ``concurrency`` at a time; every outcome lands in
    ``report`` as it comes, so a scenario can watch the load while it runs."""
    if (total is None) == (until is None):
        raise ValueError("give either total or until")
    report = report if report is not None else LoadReport()
    numbers = itertools.count() if total is None else iter(range(total))

    async def worker() -> None:
        for number in numbers:
            if until is not None and until.is_set():
                return
            report.outcomes.append(await send(client, number, build(number), keep_body=keep_body))

    async with asyncio.TaskGroup() as group:
        for _ in range(concurrency):
            group.create_task(worker())
    return report


async def at_once(
    client: httpx.AsyncClient, requests: Sequence[httpx.Request], *, keep_body: bool = True
) -> LoadReport:
    """Send every request concurrently (one task each); the outcomes in the requests' order."""
    outcomes = await asyncio.gather(
        *(send(client, n, request, keep_body=keep_body) for n, request in enumerate(requests))
    )
    return LoadReport(list(outcomes))
