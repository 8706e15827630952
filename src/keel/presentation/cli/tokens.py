"""``keel tokens purge``: delete refresh and one-time tokens that expired more than ``--keep-days`` ago.

Expired tokens are refused whether their rows exist or not; the rows are kept a while after expiry as a trail (which
session, revoked why). Run this from a scheduled job (cron, a Kubernetes CronJob); it is one ``DELETE`` per table.
"""

from __future__ import annotations

import asyncio
import inspect
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated

import typer

from keel.presentation.cli.context import cli_settings

if TYPE_CHECKING:
    from keel.application.auth import PurgedTokens

app = typer.Typer(
    name="tokens",
    help="Refresh and one-time tokens: purge the expired ones.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def tokens() -> None:
    """Refresh and one-time tokens: purge the expired ones."""


@app.command()
def purge(
    keep_days: Annotated[int, typer.Option(min=0, max=3650, help="Keep tokens this many days after they expired.")] = 7,
) -> None:
    """Delete tokens that expired more than KEEP_DAYS days ago."""
    from keel.container import build_container

    async def run() -> PurgedTokens:
        container = build_container(cli_settings())
        container.logging.init()  # log lines go to standard error; the result is the one line on standard output
        try:
            provided = container.purge_expired_tokens(keep_for=timedelta(days=keep_days))
            purge = await provided if inspect.isawaitable(provided) else provided
            return await purge()
        finally:
            shutdown = container.shutdown_resources()
            if inspect.isawaitable(shutdown):
                await shutdown

    purged = asyncio.run(run())
    typer.echo(f"deleted {purged.refresh_tokens} refresh token(s) and {purged.one_time_tokens} one-time token(s)")
