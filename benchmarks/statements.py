"""The SQL keel sends for one batch create of 100 users and for one single create, counted in-process.

The harness runs ``python -m benchmarks.statements`` in a process of its own with the keel server's environment (the
same scratch database, keys and settings) and the owner's access token in ``KEEL_BENCH_TOKEN``. The app is keel's own
``create_app``, started through its lifespan and called through httpx's ASGI transport. Listeners on the container's
engine count every statement (``before_cursor_execute``) and every transaction's ``BEGIN``/``COMMIT``/``ROLLBACK``
(asyncpg sends those itself, outside any cursor); each is one round trip to PostgreSQL. A warm-up create comes first,
so that the engine's first-connection queries are not counted.

Prints one line: ``KEEL_BENCH_RESULT {"batch": {...}, "single": {...}}``, each a count per statement kind.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import os
import random
from collections import Counter
from typing import Any

import httpx
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from benchmarks.load import RESULT_MARKER
from benchmarks.workload import new_user

BATCH_SIZE = 100


class StatementTally:
    """Statements by their first keyword, and transaction boundaries, seen by an engine's connections."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.counts: Counter[str] = Counter()
        target = engine.sync_engine
        event.listen(target, "before_cursor_execute", self._statement)
        for boundary in ("begin", "commit", "rollback"):
            event.listen(target, boundary, self._boundary(boundary.upper()))

    def _statement(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.counts[statement.split(None, 1)[0].upper()] += 1

    def _boundary(self, name: str) -> Any:
        def counted(_conn: Any) -> None:
            self.counts[name] += 1

        return counted

    def take(self) -> dict[str, int]:
        counts, self.counts = dict(self.counts), Counter()
        return counts


async def _count(token: str) -> dict[str, dict[str, int]]:
    from keel.presentation.api.app import create_app
    from keel.settings import load_settings

    app = create_app(load_settings())
    headers = {"Authorization": f"Bearer {token}"}
    rng = random.Random(1)
    async with app.router.lifespan_context(app):
        engine = app.state.container.engine()
        if inspect.isawaitable(engine):
            engine = await engine
        tally = StatementTally(engine)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://keel", timeout=60) as client:

            async def post(path: str, body: object) -> None:
                response = await client.post(path, json=body, headers=headers)
                if response.status_code not in {200, 201}:
                    raise RuntimeError(f"POST {path} answered {response.status_code}: {response.text[:300]}")

            await post("/api/v1/users", new_user(0, rng, tag="stw"))  # warm-up, not counted
            tally.take()
            await post("/api/v1/users/batch", {"users": [new_user(i, rng, tag="stb") for i in range(BATCH_SIZE)]})
            batch = tally.take()
            await post("/api/v1/users", new_user(0, rng, tag="sts"))
            single = tally.take()
    return {"batch": batch, "single": single}


def main() -> None:
    counts = asyncio.run(_count(os.environ["KEEL_BENCH_TOKEN"]))
    print(RESULT_MARKER + json.dumps(counts), flush=True)


if __name__ == "__main__":
    main()
