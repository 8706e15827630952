"""The ``keel`` command line. Each feature adds its commands here; heavy imports stay inside the commands."""

from __future__ import annotations

import typer

from keel.presentation.cli import (
    cache,
    db,
    dev,
    jobs,
    keys,
    maintenance,
    openapi,
    reference,
    serve,
    settings,
    tokens,
    users,
    worker,
)

app = typer.Typer(
    name="keel",
    help="keel: run, migrate and operate the service.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(db.app)
app.add_typer(cache.app)
app.add_typer(keys.app)
app.add_typer(tokens.app)
app.add_typer(settings.app)
app.add_typer(users.app)
app.add_typer(openapi.app)
app.add_typer(jobs.app)
app.add_typer(maintenance.app)
app.command("dev")(dev.dev)
app.command("serve")(serve.serve)
app.command("worker")(worker.worker)
app.command("cli-reference")(reference.write_cli_reference)


def run() -> None:
    """Console-script entry point."""
    app()
