"""``keel maintenance run``: the maintenance the worker's schedule runs, once, now.

It purges the users soft-deleted more than ``KEEL_MAINTENANCE__USER_RETENTION_DAYS`` ago and fails the jobs without
progress for ``KEEL_MAINTENANCE__STALE_JOB_MINUTES``, with the same use cases as the ``Maintenance`` workflow (so it
is safe while the schedule runs too: each user is purged once, each job failed once), then prints the counts on one
line. Temporal is not needed; PostgreSQL is (and Redis, to drop purged users from the cache, when the cache is on).

Exit codes: 0 done (whatever the counts); 1 the database could not be reached or a task failed (one line on standard
error says why).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import typer

from keel.presentation.cli.context import cli_settings

if TYPE_CHECKING:
    from keel.application.maintenance import MaintenanceCounts

app = typer.Typer(
    name="maintenance",
    help="Maintenance: purge old soft-deleted users, fail stale jobs.",
    no_args_is_help=True,
    add_completion=False,
)

EXIT_FAILED = 1


@app.callback()
def maintenance() -> None:
    """Maintenance: purge old soft-deleted users, fail stale jobs."""


async def _provided(provider: Any) -> Any:
    value = provider()
    return await value if asyncio.iscoroutine(value) or asyncio.isfuture(value) else value


@app.command()
def run() -> None:
    """Run the maintenance once now and print what it did."""
    from keel.application.errors import DependencyUnavailable
    from keel.container import build_container, running

    settings = cli_settings()

    async def run_once() -> MaintenanceCounts:
        container = build_container(settings)
        async with running(container):
            run_maintenance = await _provided(container.run_maintenance)
            counts: MaintenanceCounts = await run_maintenance()
            return counts

    try:
        counts = asyncio.run(run_once())
    except DependencyUnavailable as error:  # PostgreSQL refused, unreachable or overloaded
        typer.echo(f"keel maintenance run: {error}", err=True)
        raise typer.Exit(EXIT_FAILED) from None
    retention = settings.maintenance.user_retention_days
    stale = settings.maintenance.stale_job_minutes
    typer.echo(
        f"purged {counts.purged_users} user(s) deleted more than {retention} day(s) ago; "
        f"failed {counts.stale_jobs} job(s) without progress for {stale} minute(s)"
    )
