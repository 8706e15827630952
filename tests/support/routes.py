"""The app's route table, flattened: every route with its methods, path and the dependencies it solves.

FastAPI 0.165 keeps included routers as lazy ``_IncludedRouter`` entries in ``app.routes``; ``iter_route_contexts``
resolves them into the routes the app actually serves (with the prefixes and router-level dependencies applied).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import RouteContext, iter_route_contexts


def served_routes(app: FastAPI) -> list[RouteContext]:
    """Every route of the app, the OpenAPI and docs pages included, in matching order."""
    return list(iter_route_contexts(app.routes))


def api_routes(app: FastAPI) -> list[RouteContext]:
    """The routes with a FastAPI endpoint (and so a dependency tree)."""
    return [route for route in served_routes(app) if getattr(route, "dependant", None) is not None]


def dependency_calls(route: RouteContext) -> Iterator[Callable[..., Any]]:
    """Every callable the route's dependency tree solves, depth first."""

    def walk(dependant: Dependant) -> Iterator[Callable[..., Any]]:
        for sub in dependant.dependencies:
            if sub.call is not None:
                yield sub.call
            yield from walk(sub)

    yield from walk(route.dependant)


def operations(route: RouteContext) -> set[tuple[str, str]]:
    """``(method, path)`` pairs of the route (``HEAD`` implied by ``GET`` is left out)."""
    methods = route.methods or set()
    return {(method, str(route.path)) for method in methods if method != "HEAD" or "GET" not in methods}
