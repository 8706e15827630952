"""Deprecated routes announce it: ``Deprecation`` (RFC 9745), ``Sunset`` (RFC 8594) and a ``Link`` to the successor.

A route is marked ``deprecated=True`` where it is declared (which also marks it in OpenAPI) and gets an entry in the
``Deprecations`` the app is built with: when it was deprecated, when it goes away, what replaces it. A pure ASGI
middleware adds the three headers to every response of a deprecated route — whatever the route returns, a problem
included — by looking up the route FastAPI matched (``scope["route"]``). ``create_app`` refuses a route marked
deprecated without an entry (``resolve``), so the headers cannot be forgotten.
The policy: ``docs/explanation/api-versioning.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime

from fastapi.routing import iter_route_contexts
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send


@dataclass(frozen=True, slots=True)
class Deprecation:
    deprecated_at: datetime
    sunset: datetime
    successor: str
    """Path of the replacing route, relative to the app's root path (e.g. ``/api/v2/users``)."""

    def headers(self, root_path: str) -> list[tuple[bytes, bytes]]:
        return [
            (b"deprecation", f"@{int(self.deprecated_at.timestamp())}".encode("ascii")),
            (b"sunset", format_datetime(self.sunset.astimezone(UTC), usegmt=True).encode("ascii")),
            (b"link", f'<{root_path}{self.successor}>; rel="successor-version"'.encode("latin-1")),
        ]


type RouteKey = tuple[str, str]
"""(method, path template), e.g. ``("GET", "/api/v1/users")``."""
type Deprecations = Mapping[RouteKey, Deprecation]
type DeprecatedRoutes = Mapping[int, Deprecation]
"""The ``Deprecation`` of each deprecated route, by the identity of the route object FastAPI matches."""


def _deprecated(routes: Iterable[BaseRoute]) -> dict[RouteKey, BaseRoute]:
    """Every deprecated (method, full path) of the app, with the route FastAPI puts in ``scope["route"]`` for it."""
    return {
        (method, context.path): context.original_route
        for context in iter_route_contexts(list(routes))
        if getattr(context, "deprecated", False) and context.path is not None
        for method in context.methods or ()
    }


def resolve(routes: Iterable[BaseRoute], deprecations: Deprecations) -> DeprecatedRoutes:
    """Pair each route marked deprecated with its entry; a route without one (or an entry without a route) is an error,
    so the headers cannot be forgotten."""
    marked = _deprecated(routes)
    if set(marked) != set(deprecations):
        missing, stale = sorted(set(marked) - set(deprecations)), sorted(set(deprecations) - set(marked))
        raise RuntimeError(f"deprecated routes and their entries differ: no entry for {missing}, no route for {stale}")
    return {id(route): deprecations[key] for key, route in marked.items()}


class DeprecationHeadersMiddleware:
    def __init__(self, app: ASGIApp, deprecated: DeprecatedRoutes) -> None:
        self.app = app
        self._deprecated = deprecated

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self._deprecated:
            await self.app(scope, receive, send)
            return

        async def send_with_deprecation(message: Message) -> None:
            if message["type"] == "http.response.start":
                deprecation = self._deprecated.get(id(scope.get("route")))
                if deprecation is not None:
                    extra = deprecation.headers(scope.get("root_path", ""))
                    message["headers"] = [*message.get("headers", ()), *extra]
            await send(message)

        await self.app(scope, receive, send_with_deprecation)
