"""The route table itself: no route hidden behind another, every versioned route declared in OpenAPI."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute

pytestmark = pytest.mark.e2e


def _sample_path(path: str) -> str:
    """A concrete path for a route template: each parameter replaced by a value its converter accepts."""
    return re.sub(r"\{[^}]+\}", "00000000-0000-7000-8000-000000000000", path)


def test_no_route_is_shadowed_by_an_earlier_one(app: FastAPI) -> None:
    routes = [route for route in app.routes if isinstance(route, APIRoute)]
    for index, route in enumerate(routes):
        concrete = _sample_path(route.path)
        for method in route.methods:
            first = next(
                candidate
                for candidate in routes
                if method in candidate.methods and candidate.path_regex.fullmatch(concrete)
            )
            assert first is route or first.path == route.path, (
                f"{method} {route.path} is shadowed by {first.path} (declared at position {routes.index(first)}, "
                f"before {index})"
            )


def test_literal_segments_win_over_parameters(app: FastAPI) -> None:
    """`/users/me` and `/users/batch` must be matched before `/users/{user_id}`."""
    routes = [route for route in app.routes if isinstance(route, APIRoute)]
    for literal in ("/api/v1/users/me", "/api/v1/users/batch"):
        for method in ("GET", "PATCH", "POST"):
            matching = [r for r in routes if method in r.methods and r.path_regex.fullmatch(literal)]
            if matching:
                assert matching[0].path == literal, (method, literal, matching[0].path)
