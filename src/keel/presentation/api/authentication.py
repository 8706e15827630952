"""Who is calling: the actor established from a verified bearer access token.

The tenant always comes from the verified token — never from a header, a path or a body. Routes declare what the
caller must be allowed to do with ``require_permission`` (``authorization``), which builds on ``CurrentActor``;
``CurrentAccess`` gives the verified token's id, session and validity as well (logout needs them).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request

from keel.application.audit import ActorKind, request_contexts
from keel.application.errors import AuthenticationRequired
from keel.application.ports.tokens import AccessTokenClaims, AccessTokenVerifier
from keel.application.users import Actor
from keel.container import Container
from keel.presentation.api.deps import provided_by

BEARER_PREFIX = "bearer "


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization")
    if header is None or not header.lower().startswith(BEARER_PREFIX) or not header[len(BEARER_PREFIX) :].strip():
        raise AuthenticationRequired("A bearer access token is required.")
    return header[len(BEARER_PREFIX) :].strip()


async def current_actor(request: Request) -> Actor:
    # The verifier is looked up here rather than declared as a sub-dependency: every authenticated request solves
    # this dependency, and each level of dependencies costs FastAPI a walk over the request's parameters.
    verifier = await provided_by(request, _access_token_verifier)
    actor = verifier.verify(bearer_token(request))
    request_contexts.current().act_as(ActorKind.USER, actor.user_id)  # who the audit log names for this request
    return actor


async def current_access(request: Request) -> AccessTokenClaims:
    verifier = await provided_by(request, _access_token_verifier)
    return verifier.claims(bearer_token(request))


def _access_token_verifier(container: Container) -> Callable[[], AccessTokenVerifier | Awaitable[AccessTokenVerifier]]:
    return container.access_token_verifier


CurrentActor = Annotated[Actor, Depends(current_actor)]
CurrentAccess = Annotated[AccessTokenClaims, Depends(current_access)]
