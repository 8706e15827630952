"""The N+1 detector (development and test only): count the SQL statements each request issues, warn above a limit.

``StatementCounting`` listens to the engine's ``before_cursor_execute`` and adds one to the counter of the current
request, kept in a context variable that ``NPlusOneDetector`` (a pure ASGI middleware) sets per request; statements
outside a request (the worker, start-up) find no counter and are not counted. A request that issued more than
``threshold`` statements logs ``db.n_plus_one`` (a warning) with its method, route template, request id and count —
the sign of a loop that loads one row per item instead of one query for all.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp, Receive, Scope, Send

from keel.infrastructure.metrics.http import route_template

logger = structlog.get_logger("keel.db")


@dataclass(slots=True)
class StatementCount:
    statements: int = 0


_current: ContextVar[StatementCount | None] = ContextVar("keel_statement_count", default=None)


def _count(*_args: Any, **_kwargs: Any) -> None:
    counter = _current.get()
    if counter is not None:
        counter.statements += 1


class StatementCounting:
    """Attach the counting listener to an engine (once) and detach it."""

    def __init__(self) -> None:
        self._engines: list[AsyncEngine] = []

    def attach(self, engine: AsyncEngine) -> None:
        if not event.contains(engine.sync_engine, "before_cursor_execute", _count):
            event.listen(engine.sync_engine, "before_cursor_execute", _count)
            self._engines.append(engine)

    def detach(self) -> None:
        for engine in self._engines:
            event.remove(engine.sync_engine, "before_cursor_execute", _count)
        self._engines.clear()


async def statement_counting_resource(engine: AsyncEngine) -> AsyncIterator[StatementCounting]:
    """Count the engine's statements per request while the resource runs (never started in production)."""
    counting = StatementCounting()
    counting.attach(engine)
    try:
        yield counting
    finally:
        counting.detach()


class NPlusOneDetector:
    def __init__(self, app: ASGIApp, *, threshold: int) -> None:
        if threshold < 1:
            raise ValueError(f"the N+1 threshold must be at least 1, not {threshold}")
        self.app = app
        self.threshold = threshold

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        counter = StatementCount()
        token = _current.set(counter)
        try:
            await self.app(scope, receive, send)
        finally:
            _current.reset(token)
            if counter.statements > self.threshold:
                logger.warning(
                    "db.n_plus_one",
                    method=scope.get("method"),
                    route=route_template(scope),
                    path=scope.get("path"),
                    request_id=scope.get("state", {}).get("request_id"),
                    statements=counter.statements,
                    threshold=self.threshold,
                )
