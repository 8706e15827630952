"""The route table itself: no route hidden behind another, literal segments matched before parameters."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI

from support.routes import api_routes

pytestmark = pytest.mark.e2e

LITERALS = ("/api/v1/users/me", "/api/v1/users/batch")


def _sample_path(path: str) -> str:
    """A concrete path for a route template: each parameter replaced by a value its converter accepts."""
    return re.sub(r"\{[^}]+\}", "00000000-0000-7000-8000-000000000000", path)


def test_the_route_table_is_seen_whole(app: FastAPI) -> None:
    """The walks below see the routes of the included routers, not only the app's own."""
    paths = {route.path for route in api_routes(app)}
    assert {"/api/v1/users/{user_id}", "/api/v1/users/me", "/api/v1/partner/users", "/health/live"} <= paths


def test_no_route_is_shadowed_by_an_earlier_one(app: FastAPI) -> None:
    routes = api_routes(app)
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
    routes = api_routes(app)
    literals = [(method, route.path) for route in routes if route.path in LITERALS for method in route.methods]
    assert sorted(literals) == [
        ("GET", "/api/v1/users/me"),
        ("PATCH", "/api/v1/users/me"),
        ("POST", "/api/v1/users/batch"),
    ]
    for method, literal in literals:
        first = next(r for r in routes if method in r.methods and r.path_regex.fullmatch(literal))
        assert first.path == literal, (method, literal, first.path)
