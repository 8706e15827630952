"""``keel openapi``: the OpenAPI document of the API, as JSON — for clients' code generators, and for the inventory
snapshot (``tests/security/snapshots/openapi.json``) that makes every change of the API surface a visible diff."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer


def openapi_document() -> dict[str, Any]:
    """The document of the API itself: built with the default settings, whatever this environment says (a root path
    or disabled docs would change it without changing the API)."""
    from keel.presentation.api.app import create_app
    from keel.settings import Settings

    document: dict[str, Any] = create_app(Settings.model_construct()).openapi()
    return document


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def openapi(
    output: Annotated[Path | None, typer.Option(help="Write to this file instead of standard output.")] = None,
) -> None:
    """Print the OpenAPI document (JSON)."""
    text = render(openapi_document())
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
