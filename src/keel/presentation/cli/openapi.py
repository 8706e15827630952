"""``keel openapi export``: the OpenAPI document of the API, whole or of one version, to a file or standard output —
for clients' code generators, and for the inventory snapshot (``tests/security/snapshots/openapi.json``) that makes
every change of the API surface a visible diff.

The document is built from the app itself (no server, no database): what ``/openapi.json`` or
``/api/<version>/openapi.json`` would serve. Keys are sorted so that a committed copy diffs cleanly. ``--defaults``
builds it with the default settings whatever this environment says (a root path or disabled docs would change the
document without changing the API): the snapshot uses it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from keel.presentation.cli.context import cli_settings

app = typer.Typer(name="openapi", help="The API's OpenAPI documents: export them.", no_args_is_help=True)

EXIT_PROBLEM = 1
ALL_VERSIONS = "all"


@app.callback()
def openapi() -> None:
    """The API's OpenAPI documents: export them."""


def _fail(message: str) -> NoReturn:
    typer.echo(f"keel openapi export: {message}", err=True)
    raise typer.Exit(EXIT_PROBLEM)


def openapi_document(*, defaults: bool = True) -> dict[str, Any]:
    """The whole API's document, built with the default settings (``defaults``) or this environment's."""
    from keel.presentation.api.app import create_app
    from keel.settings import Settings

    document: dict[str, Any] = create_app(Settings.model_construct() if defaults else cli_settings()).openapi()
    return document


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


@app.command("export")
def export(
    api_version: Annotated[
        str, typer.Option("--api-version", help="`all` (the whole API, as /openapi.json) or one version: v1, v2.")
    ] = ALL_VERSIONS,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write; standard output when omitted.")
    ] = None,
    defaults: Annotated[
        bool, typer.Option("--defaults", help="Build with the default settings, ignoring this environment's.")
    ] = False,
) -> None:
    """Write the OpenAPI document (JSON) of the whole API or of one version."""
    from keel.presentation.api.versions import API_VERSIONS, version_document

    if api_version != ALL_VERSIONS and api_version not in API_VERSIONS:
        _fail(f"unknown API version {api_version!r}; choose one of: {', '.join([ALL_VERSIONS, *API_VERSIONS])}")
    if output is not None and (output.is_dir() or not output.parent.is_dir()):
        _fail(f"--output {output}: give a file in an existing directory")
    document = openapi_document(defaults=defaults)
    if api_version != ALL_VERSIONS:
        document = version_document(document, api_version)
    text = render(document)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output} ({len(document['paths'])} paths)", err=True)
