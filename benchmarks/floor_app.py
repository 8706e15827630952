"""The floor: a raw ASGI app doing the same work as keel's health routes, with nothing around it.

No framework, no dependency injection, no validation models, no middleware: one ``asyncpg`` pool, one Redis client
(the same drivers keel uses) and hand-written JSON. It is served by uvicorn with the same loop and HTTP parser as
``keel serve``, so the difference between the two is what keel's own layers cost per request.

Run: ``python -m benchmarks.floor_app --port 8001 --database-url postgresql://... --redis-url redis://...``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import asyncpg
import uvicorn
from redis.asyncio import Redis

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

LIVE_BODY = b'{"status":"pass"}'
JSON_HEADERS = [(b"content-type", b"application/json")]
NOT_FOUND_BODY = b'{"status":404}'


class FloorApp:
    """``GET /health/live`` and ``GET /health/ready``, answering with the same JSON shapes as keel."""

    def __init__(self, database_url: str, redis_url: str, pool_size: int) -> None:
        self._database_url = database_url
        self._redis_url = redis_url
        self._pool_size = pool_size
        self._pool: asyncpg.Pool | None = None
        self._redis: Redis | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        path = scope["path"]
        if path == "/health/live":
            await _respond(send, 200, LIVE_BODY)
        elif path == "/health/ready":
            status, body = await self._ready()
            await _respond(send, status, body, extra_headers=[(b"cache-control", b"no-store")])
        else:
            await _respond(send, 404, NOT_FOUND_BODY)

    async def _ready(self) -> tuple[int, bytes]:
        assert self._pool is not None
        assert self._redis is not None
        postgres, redis = await asyncio.gather(
            _timed(True, self._pool.fetchval("SELECT 1")),
            _timed(False, self._redis.ping()),
        )
        ready = postgres["status"] == "pass"
        overall = "fail" if not ready else ("pass" if redis["status"] == "pass" else "warn")
        body = json.dumps({"status": overall, "checks": {"postgres": postgres, "redis": redis}}).encode()
        return (200 if ready else 503), body

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self._pool = await asyncpg.create_pool(self._database_url, min_size=1, max_size=self._pool_size)
                self._redis = Redis.from_url(self._redis_url)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._redis is not None:
                    await self._redis.aclose()
                if self._pool is not None:
                    await self._pool.close()
                await send({"type": "lifespan.shutdown.complete"})
                return


async def _timed(required: bool, probe: Awaitable[object]) -> dict[str, object]:
    started = time.perf_counter()
    error: str | None = None
    try:
        async with asyncio.timeout(2.0):
            await probe
    except Exception as exc:  # noqa: BLE001 - a probe reports its failure in the body
        error = type(exc).__name__
    latency_ms = round((time.perf_counter() - started) * 1000, 2)
    return {
        "status": "pass" if error is None else "fail",
        "required": required,
        "latency_ms": latency_ms,
        "error": error,
    }


async def _respond(
    send: Send, status: int, body: bytes, extra_headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    headers = [*JSON_HEADERS, (b"content-length", str(len(body)).encode()), *(extra_headers or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database-url", required=True, help="asyncpg DSN (postgresql://...)")
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--pool-size", type=int, default=20, help="keel's default pool_size + max_overflow")
    args = parser.parse_args()
    uvicorn.run(
        FloorApp(args.database_url, args.redis_url, args.pool_size),
        host=args.host,
        port=args.port,
        loop="uvloop",
        http="httptools",
        lifespan="on",
        log_config=None,
        access_log=False,
        server_header=False,
        date_header=True,
    )


if __name__ == "__main__":
    main()
