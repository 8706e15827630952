"""The floor: a raw ASGI app doing the same work as keel's routes under test, with nothing around it.

No framework, no dependency injection, no validation models, no middleware: one ``asyncpg`` pool, one Redis client
(the same drivers keel uses) and hand-written JSON. It is served by uvicorn with the same loop and HTTP parser as
``keel serve``, so the difference between the two is what keel's own layers cost per request.

Routes: ``/health/live`` and ``/health/ready`` always; with ``--jwks-url`` (keel's JWKS, to verify its tokens) also
``GET /api/v1/users/{id}`` and ``GET /api/v1/users`` (``benchmarks.floor_users``), cached in Redis with ``--cache``.

Run: ``python -m benchmarks.floor_app --port 8001 --database-url postgresql://... --redis-url redis://...
[--jwks-url http://127.0.0.1:8000/.well-known/jwks.json --cache zstd]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

import asyncpg
import uvicorn
from redis.asyncio import Redis

from benchmarks.floor_users import CACHE_CODECS, FloorUsers, TokenVerifier, UserCodec, fetch_jwks
from benchmarks.quotas import READ_QUOTA
from keel.settings import parse_rate

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

LIVE_BODY = b'{"status":"pass"}'
JSON_HEADERS = [(b"content-type", b"application/json")]
NOT_FOUND_BODY = b'{"status":404}'
USERS_PATH = "/api/v1/users"
USER_PREFIX = "/api/v1/users/"


@dataclass(frozen=True, slots=True)
class UsersOptions:
    """How to serve the users routes: whose tokens to accept, and how to cache."""

    jwks_url: str
    issuer: str
    audience: str
    cache: str  # one of CACHE_CODECS
    cache_ttl_seconds: int
    cache_prefix: str
    read_quota: tuple[int, int]


class FloorApp:
    """The health routes, and the users routes when given ``users``, answering with the same JSON shapes as keel."""

    def __init__(self, database_url: str, redis_url: str, pool_size: int, users: UsersOptions | None = None) -> None:
        self._database_url = database_url
        self._redis_url = redis_url
        self._pool_size = pool_size
        self._users_options = users
        self._pool: asyncpg.Pool | None = None
        self._redis: Redis | None = None
        self._users: FloorUsers | None = None

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
        elif self._users is not None and path.startswith(USER_PREFIX):
            status, body, headers = await self._users.get(path.removeprefix(USER_PREFIX), _authorization(scope))
            await _respond(send, status, body, extra_headers=headers)
        elif self._users is not None and path == USERS_PATH:
            status, body, headers = await self._users.list(scope["query_string"], _authorization(scope))
            await _respond(send, status, body, extra_headers=headers)
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
                if self._users_options is not None:
                    self._users = _floor_users(self._users_options, self._pool, self._redis)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._redis is not None:
                    await self._redis.aclose()
                if self._pool is not None:
                    await self._pool.close()
                await send({"type": "lifespan.shutdown.complete"})
                return


def _floor_users(options: UsersOptions, pool: asyncpg.Pool, redis: Redis) -> FloorUsers:
    verifier = TokenVerifier(fetch_jwks(options.jwks_url), issuer=options.issuer, audience=options.audience)
    return FloorUsers(
        verifier,
        pool,
        redis if options.cache != "off" else None,
        limiter=redis,
        read_quota=options.read_quota,
        codec=UserCodec(options.cache),
        ttl_seconds=options.cache_ttl_seconds,
        key_prefix=options.cache_prefix,
    )


def _quota(spec: str) -> tuple[int, int]:
    rate = parse_rate(spec)
    if rate is None:
        raise SystemExit("--read-quota: the floor counts every request, as keel does in the benchmark; give a rate")
    return rate


def _authorization(scope: Scope) -> bytes | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            return bytes(value)
    return None


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
    parser.add_argument("--jwks-url", help="keel's /.well-known/jwks.json: serve the users routes with its tokens")
    parser.add_argument("--jwt-issuer", default="keel", help="keel's default KEEL_SECURITY__JWT_ISSUER")
    parser.add_argument("--jwt-audience", default="keel-api", help="keel's default KEEL_SECURITY__JWT_AUDIENCE")
    parser.add_argument("--cache", choices=CACHE_CODECS, default="off", help="cache GET /api/v1/users/{id} in Redis")
    parser.add_argument("--cache-ttl", type=int, default=300, help="keel's default KEEL_CACHE__DEFAULT_TTL_SECONDS")
    parser.add_argument("--cache-prefix", default="floor", help="namespace of the floor's cache keys")
    parser.add_argument(
        "--read-quota", default=READ_QUOTA, help="keel's KEEL_RATE_LIMIT__READ in the benchmark (<count>/<period>)"
    )
    args = parser.parse_args()
    users = None
    if args.jwks_url:
        users = UsersOptions(
            jwks_url=args.jwks_url,
            issuer=args.jwt_issuer,
            audience=args.jwt_audience,
            cache=args.cache,
            cache_ttl_seconds=args.cache_ttl,
            cache_prefix=args.cache_prefix,
            read_quota=_quota(args.read_quota),
        )
    uvicorn.run(
        FloorApp(args.database_url, args.redis_url, args.pool_size, users),
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
