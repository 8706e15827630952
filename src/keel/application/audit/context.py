"""Who is acting and from where, for the audit log: bound once per request by the API, read by the audit writer.

The API's request-context middleware binds a ``RequestContext`` (request id, client IP, user agent) for the request;
authentication then records the actor on it (``act_as``), since the actor is known only after the token is verified.
The context is one mutable object bound in a ``ContextVar``, so what authentication records is seen by the before-commit
handler of the same request whatever task or context copy it runs in. Outside a request (the CLI, the worker) nothing
is bound and ``current()`` answers a fresh ``SYSTEM`` context.
"""

from __future__ import annotations

from contextvars import ContextVar, Token
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol
from uuid import UUID


class ActorKind(StrEnum):
    USER = "user"
    """An authenticated user (access token)."""
    API_CLIENT = "api_client"
    """An authenticated machine client."""
    ANONYMOUS = "anonymous"
    """A request without credentials (tenant sign-up)."""
    SYSTEM = "system"
    """No request: an operator command or a background process."""


@dataclass(slots=True)
class RequestContext:
    request_id: str | None = None
    ip: str | None = None
    user_agent: str | None = None
    actor_kind: ActorKind = ActorKind.ANONYMOUS
    actor_id: UUID | None = None

    def act_as(self, kind: ActorKind, actor_id: UUID) -> None:
        """Record the authenticated actor of this request."""
        self.actor_kind = kind
        self.actor_id = actor_id


class RequestContextSource(Protocol):
    """The port the audit writer reads: the context of the request being served."""

    def current(self) -> RequestContext: ...


class ContextVarRequestContexts:
    """Implements ``RequestContextSource`` with a ``ContextVar``; the API binds and resets it around each request."""

    def __init__(self) -> None:
        self._current: ContextVar[RequestContext | None] = ContextVar("keel_request_context", default=None)

    def bind(self, context: RequestContext) -> Token[RequestContext | None]:
        return self._current.set(context)

    def reset(self, token: Token[RequestContext | None]) -> None:
        self._current.reset(token)

    def current(self) -> RequestContext:
        bound = self._current.get()
        return bound if bound is not None else RequestContext(actor_kind=ActorKind.SYSTEM)


request_contexts = ContextVarRequestContexts()
"""The process's request contexts: the API binds into it, the container hands it to the audit writer."""
