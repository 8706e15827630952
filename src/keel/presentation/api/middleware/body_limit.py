"""At most ``max_body_bytes`` of request body, however it is sent: a 413 problem past that.

A ``Content-Length`` above the limit is answered at once, before the application runs or reads anything. A body sent
without one (chunked) or lying about it is counted as it streams: the read that crosses the limit raises
``BodyTooLarge``, an ``HTTPException`` (so FastAPI's body parsing lets it through rather than calling it a parse
error), which the problem handlers turn into the same 413. Only the bytes up to the limit are ever read.

Routes that take large uploads (the CSV import) get their own limit in ``path_limits`` (exact paths); they check
their real limit themselves, with a problem of their own.
(FastAPI 0.165's own ``max_body_size`` answers an oversized ``Content-Length`` with plain text rather than a problem
document; this middleware keeps every error in one shape.)
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Final

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from keel.presentation.api.problems import build_problem, problem_response

_CONTENT_LENGTH: Final = b"content-length"
_TRANSFER_ENCODING: Final = b"transfer-encoding"


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, detail=too_large_detail(limit))


def too_large_detail(limit: int) -> str:
    return f"The request body is larger than the {limit} bytes accepted."


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int, path_limits: Mapping[str, int] | None = None) -> None:
        self.app = app
        self.limit = max_body_bytes
        self.path_limits = dict(path_limits or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared: int | None = None
        chunked = False
        for name, value in scope["headers"]:
            if name == _CONTENT_LENGTH:
                declared = int(value) if value.isdigit() else -1
            elif name == _TRANSFER_ENCODING:
                chunked = True
        limit = self.path_limits.get(scope["path"], self.limit)
        if declared is not None and declared > limit:
            await self._too_large(scope, receive, send, limit)
            return
        if declared == 0 and not chunked:
            await self.app(scope, receive, send)  # nothing to count: the common GET
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, counting_receive, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        problem = build_problem(
            Request(scope),
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            code="content_too_large",
            detail=too_large_detail(limit),
        )
        await problem_response(problem, {"Connection": "close"})(scope, receive, send)
