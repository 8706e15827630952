"""API9:2023 Improper Inventory Management — the API surface is a reviewed file: any change to a path, a parameter,
a schema or a status shows as a diff of ``tests/security/snapshots/openapi.json``.

After an intended change, regenerate it and commit it with the change::

    uv run keel openapi export --defaults --output tests/security/snapshots/openapi.json
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from fastapi import FastAPI

from keel.presentation.cli.openapi import openapi_document, render

pytestmark = pytest.mark.e2e

SNAPSHOT = Path(__file__).parent / "snapshots" / "openapi.json"
REGENERATE = "uv run keel openapi export --defaults --output tests/security/snapshots/openapi.json"


def test_the_api_surface_matches_the_reviewed_snapshot(app: FastAPI) -> None:
    current = render(app.openapi())
    reviewed = SNAPSHOT.read_text(encoding="utf-8")
    if current != reviewed:
        diff = "".join(
            difflib.unified_diff(
                reviewed.splitlines(keepends=True),
                current.splitlines(keepends=True),
                fromfile="snapshot (reviewed)",
                tofile="the app now",
                n=2,
            )
        )
        pytest.fail(f"The API surface changed. If that is intended, run: {REGENERATE}\n\n{diff}", pytrace=False)


def test_the_regenerating_command_writes_what_the_app_serves(app: FastAPI) -> None:
    assert render(openapi_document()) == render(app.openapi())


def test_only_versioned_routes_and_the_operational_ones_are_published(app: FastAPI) -> None:
    paths = set(app.openapi()["paths"])
    unversioned = {path for path in paths if not path.startswith(("/api/v1/", "/api/v2/"))}
    assert unversioned == {"/health/live", "/health/ready", "/.well-known/jwks.json"}
