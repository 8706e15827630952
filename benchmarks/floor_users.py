"""The floor's users routes: ``GET /api/v1/users/{id}`` and ``GET /api/v1/users``, doing keel's work and no more.

Per request, like keel: the ES256 bearer token is verified with PyJWT against the keys keel publishes at
``/.well-known/jwks.json`` (fetched once at start-up; the same algorithm, issuer, audience, leeway and required claims
as keel), the tenant is the token's ``tid`` claim, one ``SELECT`` of the same columns with the same ``WHERE`` runs on
asyncpg, and the body is the same JSON as keel's ``UserView`` (same members in the same order, compact separators).
``GET /users/{id}`` sends keel's ``ETag`` too. The list's ``next_cursor`` is HMAC-signed like keel's, with a secret of
the floor's own, so its value differs from keel's while its cost does not.

Like keel, each users request is first counted against the ``read`` quota of its user: one ``EVALSHA`` of keel's own
GCRA script (``keel.infrastructure.rate_limits.gcra``) on the floor's Redis, with the same limit as keel's
``KEEL_RATE_LIMIT__READ`` in the benchmark (high enough never to bind: the cost measured is the round trip).

With a cache (``--cache json|zstd``), ``GET /users/{id}`` asks Redis first and stores the user's JSON (zstd-compressed,
without a dictionary, with ``zstd``) on a miss, for ``--cache-ttl`` seconds. A hit renders the response from the
cached record, as keel does from its cached user. Lists are never cached, in keel as here.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import urllib.request
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final
from uuid import UUID

import asyncpg
import jwt
import zstandard
from redis.asyncio import Redis

from keel.infrastructure.rate_limits.gcra import GCRA_SCRIPT

COLUMNS: Final = (
    "id, tenant_id, email, username, full_name, roles, status, email_verified_at, locale, timezone, "
    "created_at, updated_at, deleted_at, version"
)
GET_USER: Final = f"SELECT {COLUMNS} FROM users WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL"
LIST_USERS: Final = (
    f"SELECT {COLUMNS} FROM users WHERE tenant_id = $1 AND deleted_at IS NULL ORDER BY created_at, id LIMIT $2"
)
REQUIRED_CLAIMS: Final = ["iss", "aud", "sub", "tid", "roles", "iat", "nbf", "exp", "jti", "sid", "typ"]
DEFAULT_LIMIT: Final = 20
MAX_LIMIT: Final = 100
CACHE_CODECS: Final = ("off", "json", "zstd")

type Answer = tuple[int, bytes, list[tuple[bytes, bytes]]]


def fetch_jwks(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=10) as response:  # a URL the harness gives: keel's own JWKS
        document: dict[str, Any] = json.load(response)
    return document


class TokenVerifier:
    """The tenant of a valid access token, or None: keel's checks, done with PyJWT directly."""

    def __init__(self, jwks: Mapping[str, Any], *, issuer: str, audience: str, leeway_seconds: int = 10) -> None:
        self._keys = {jwk["kid"]: jwt.PyJWK(jwk, algorithm="ES256").key for jwk in jwks["keys"]}
        self._issuer = issuer
        self._audience = audience
        self._leeway = leeway_seconds

    def caller_of(self, authorization: bytes | None) -> tuple[UUID, str] | None:
        if authorization is None:
            return None
        header = authorization.decode("latin-1")
        if header[:7].lower() != "bearer ":
            return None
        token = header[7:].strip()
        try:
            key = self._keys.get(jwt.get_unverified_header(token).get("kid"))
            if key is None:
                return None
            claims = jwt.decode(
                token,
                key,
                algorithms=["ES256"],
                audience=self._audience,
                issuer=self._issuer,
                leeway=self._leeway,
                options={"require": REQUIRED_CLAIMS},
            )
            return (UUID(claims["tid"]), str(claims["sub"])) if claims["typ"] == "access" else None
        except (jwt.PyJWTError, TypeError, ValueError):
            return None


class UserCodec:
    """Cache values: the user's JSON, as is (``json``) or zstd-compressed without a dictionary (``zstd``)."""

    def __init__(self, name: str) -> None:
        self._compressor = zstandard.ZstdCompressor(level=3) if name == "zstd" else None
        self._decompressor = zstandard.ZstdDecompressor() if name == "zstd" else None

    def encode(self, body: bytes) -> bytes:
        return self._compressor.compress(body) if self._compressor else body

    def decode(self, value: bytes) -> bytes:
        return self._decompressor.decompress(value) if self._decompressor else value


class FloorUsers:
    def __init__(
        self,
        verifier: TokenVerifier,
        pool: asyncpg.Pool,
        redis: Redis | None,
        *,
        limiter: Redis,
        read_quota: tuple[int, int],
        codec: UserCodec,
        ttl_seconds: int,
        key_prefix: str,
    ) -> None:
        self._verifier = verifier
        self._pool = pool
        self._redis = redis
        self._gcra = limiter.register_script(GCRA_SCRIPT)
        limit, period_seconds = read_quota
        self._period_us = period_seconds * 1_000_000
        self._interval_us = self._period_us // limit
        self._codec = codec
        self._ttl = ttl_seconds
        self._prefix = key_prefix
        self._cursor_secret = secrets.token_bytes(32)

    async def get(self, user_id: str, authorization: bytes | None) -> Answer:
        caller = self._verifier.caller_of(authorization)
        if caller is None:
            return _problem(401)
        tenant_id, subject = caller
        if not await self._within_quota(subject):
            return _problem(429)
        try:
            user = UUID(user_id)
        except ValueError:
            return _problem(422)
        key = f"{self._prefix}:user:{tenant_id}:{user}"
        cached = await self._redis.get(key) if self._redis is not None else None
        if cached is not None:
            view = json.loads(self._codec.decode(cached))
        else:
            row = await self._pool.fetchrow(GET_USER, tenant_id, user)
            if row is None:
                return _problem(404)
            view = user_view(row)
        body = _dumps(view)
        if cached is None and self._redis is not None:
            await self._redis.set(key, self._codec.encode(body), ex=self._ttl)
        return 200, body, [(b"etag", b'"%d"' % view["version"])]

    async def list(self, query_string: bytes, authorization: bytes | None) -> Answer:
        caller = self._verifier.caller_of(authorization)
        if caller is None:
            return _problem(401)
        tenant_id, subject = caller
        if not await self._within_quota(subject):
            return _problem(429)
        limit = _limit(query_string)
        if limit is None:
            return _problem(422)
        rows = await self._pool.fetch(LIST_USERS, tenant_id, limit + 1)
        items = [user_view(row) for row in rows[:limit]]
        next_cursor = self._cursor(rows[limit - 1]) if len(rows) > limit else None
        return 200, _dumps({"items": items, "next_cursor": next_cursor}), []

    async def _within_quota(self, subject: str) -> bool:
        """keel's read quota: one EVALSHA of its GCRA script, keyed by the user."""
        answer = await self._gcra(
            keys=[f"{self._prefix}:rl:read:user:{subject}"], args=[self._interval_us, self._period_us]
        )
        return bool(int(answer[0]))

    def _cursor(self, last: Mapping[str, Any]) -> str:
        """keel's cursor format: base64url(tag ‖ version ‖ compact JSON), tag = HMAC-SHA256 truncated to 16 bytes."""
        document = {
            "s": "created_at",
            "k": [{"t": last["created_at"].astimezone(UTC).isoformat()}],
            "i": last["id"].hex,
        }
        message = b"\x01" + json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()
        tag = hmac.new(self._cursor_secret, message, hashlib.sha256).digest()[:16]
        return base64.urlsafe_b64encode(tag + message).rstrip(b"=").decode("ascii")


def user_view(row: Mapping[str, Any]) -> dict[str, Any]:
    """keel's ``UserView`` of a ``users`` row, member for member."""
    return {
        "id": str(row["id"]),
        "tenant_id": str(row["tenant_id"]),
        "email": row["email"],
        "username": row["username"],
        "full_name": row["full_name"],
        "roles": sorted(row["roles"]),
        "status": row["status"],
        "email_verified": row["email_verified_at"] is not None,
        "preferences": {"locale": row["locale"], "timezone": row["timezone"]},
        "created_at": _instant(row["created_at"]),
        "updated_at": _instant(row["updated_at"]),
        "deleted_at": None if row["deleted_at"] is None else _instant(row["deleted_at"]),
        "version": row["version"],
    }


def _instant(value: datetime) -> str:
    """An aware datetime as pydantic writes it in JSON: ISO 8601, ``Z`` for UTC."""
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _dumps(document: object) -> bytes:
    """As Starlette's ``JSONResponse`` renders: compact, UTF-8."""
    return json.dumps(document, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


def _limit(query_string: bytes) -> int | None:
    limit = DEFAULT_LIMIT
    for pair in query_string.split(b"&"):
        name, _, value = pair.partition(b"=")
        if name == b"limit":
            try:
                limit = int(value)
            except ValueError:
                return None
    return limit if 1 <= limit <= MAX_LIMIT else None


def _problem(status: int) -> Answer:
    return status, b'{"status":%d}' % status, []
