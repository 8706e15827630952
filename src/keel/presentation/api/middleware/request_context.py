"""Request id, log context and the last line of defence against unexpected errors, in one pure ASGI middleware.

- A well-formed incoming ``X-Request-ID`` (1-128 chars of ``[A-Za-z0-9._:-]``) is kept; otherwise a new one is made.
  It is bound to the structlog context for every line logged while serving the request and echoed in the response.
- The request id, the client's address and its user agent are bound as the request's ``RequestContext`` (see
  ``keel.application.audit``), which the audit log reads; authentication adds the actor to it.
- An exception nothing else handled is logged with the request id and answered with a 500 problem that reveals
  nothing about the internals. If the response had already started, the connection is closed instead.
"""

from __future__ import annotations

import re
import uuid
from http import HTTPStatus

import structlog
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from keel.application.audit import RequestContext, request_contexts
from keel.presentation.api.problems import build_problem, problem_response

REQUEST_ID_HEADER = "x-request-id"
_HEADER_NAME = REQUEST_ID_HEADER.encode("latin-1")
_USER_AGENT = b"user-agent"
MAX_USER_AGENT_LENGTH = 512
_WELL_FORMED = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

logger = structlog.get_logger("keel.api")


def accept_request_id(candidate: str | None) -> str:
    if candidate is not None and _WELL_FORMED.fullmatch(candidate):
        return candidate
    return uuid.uuid4().hex


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        incoming = user_agent = None
        for name, value in scope["headers"]:
            if name == _HEADER_NAME:
                incoming = value.decode("latin-1")
            elif name == _USER_AGENT:
                user_agent = value.decode("latin-1")[:MAX_USER_AGENT_LENGTH]
        request_id = accept_request_id(incoming)
        request_id_bytes = request_id.encode("latin-1")
        scope.setdefault("state", {})["request_id"] = request_id
        response_started = False

        async def send_with_request_id(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
                # Appended raw: the response has no request id of its own, and this is on every response's path.
                message["headers"] = [*message.get("headers", ()), (_HEADER_NAME, request_id_bytes)]
            await send(message)

        tokens = structlog.contextvars.bind_contextvars(request_id=request_id)
        client = scope.get("client")
        context_token = request_contexts.bind(
            RequestContext(request_id=request_id, ip=client[0] if client else None, user_agent=user_agent)
        )
        try:
            await self.app(scope, receive, send_with_request_id)
        except Exception:
            logger.exception(
                "request.unhandled_error", method=scope.get("method"), path=scope.get("path"), started=response_started
            )
            if response_started:
                raise
            problem = build_problem(
                Request(scope),
                HTTPStatus.INTERNAL_SERVER_ERROR,
                code="internal_error",
                detail="An unexpected error occurred. Quote the request id when reporting it.",
            )
            await problem_response(problem)(scope, receive, send_with_request_id)
        finally:
            request_contexts.reset(context_token)
            structlog.contextvars.reset_contextvars(**tokens)
