"""``keel dev``: the whole local stack, no Docker (``make run``)."""

from __future__ import annotations

from typing import Annotated

import typer

from keel.presentation.cli.context import cli_settings


def dev(
    no_api: Annotated[
        bool,
        typer.Option("--no-api", help="Start only the services and print the variables pointing at them."),
    ] = False,
) -> None:
    """Start embedded PostgreSQL, Redis, Temporal and an SMTP sink (each unless given by URL), migrate, run the worker
    and serve the API.

    Data lives in KEEL_DEV__STATE_DIR (default .keel/) and is kept across runs. Ctrl-C stops everything.
    """
    from keel.devstack.run import run_dev_stack

    exit_code = run_dev_stack(cli_settings(), with_api=not no_api)
    if exit_code:
        raise typer.Exit(exit_code)
