"""``keel db``: apply, inspect, check and write the Atlas versioned migrations in ``migrations/``.

Every command reads the settings (``KEEL_DATABASE__URL``, ``KEEL_DATABASE__MIGRATIONS_DIR``,
``KEEL_DATABASE__DEV_URL``) and gets its migration service from the container. A problem prints one line per cause on
standard error and exits 1.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Coroutine, Iterable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from keel.presentation.cli.context import cli_settings

if TYPE_CHECKING:
    from keel.container import Container

app = typer.Typer(
    name="db",
    help="Database migrations (Atlas versioned format): upgrade, status, check, new, hash.",
    no_args_is_help=True,
)

EXIT_PROBLEM = 1
_PIPED_WIDTH = 160  # rich assumes 80 columns when not on a terminal; file names would wrap


def _container() -> Container:
    from keel.container import build_container  # the container imports every adapter

    return build_container(cli_settings())


def _fail(command: str, lines: Iterable[str]) -> NoReturn:
    for line in lines:
        typer.echo(line if line.startswith(" ") else f"keel db {command}: {line}", err=True)
    raise typer.Exit(EXIT_PROBLEM)


def _run[T](coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


def _seconds(duration: timedelta | None) -> str:
    return "" if duration is None else f"{duration.total_seconds():.3f} s"


def _moment(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


@app.command()
def upgrade() -> None:
    """Apply the pending migrations in version order, each in its own transaction, under a lock."""
    migrations = _container().migrations()
    try:
        applied = _run(migrations.upgrade())
    except migrations.Error as error:
        _fail("upgrade", error.problems)
    for migration in applied:
        typer.echo(
            f"applied {migration.name} ({migration.statements} statements, {_seconds(migration.execution_time)})"
        )
    typer.echo(f"{len(applied)} migration(s) applied" if applied else "database is up to date: nothing to apply")


@app.command()
def status() -> None:
    """List applied and pending migrations, and whether atlas.sum matches the files."""
    migrations = _container().migrations()
    try:
        report = _run(migrations.status())
    except migrations.Error as error:
        _fail("status", error.problems)
    table = Table(title=f"migrations in {migrations.migrations_dir}")
    table.add_column("file", no_wrap=True)
    table.add_column("state")
    table.add_column("executed at (UTC)", no_wrap=True)
    table.add_column("took", no_wrap=True)
    table.add_column("note")
    for entry in report.entries:
        table.add_row(
            entry.name, str(entry.state), _moment(entry.executed_at), _seconds(entry.execution_time), entry.note
        )
    console = Console(highlight=False, width=None if sys.stdout.isatty() else _PIPED_WIDTH)
    console.print(table, markup=False)
    typer.echo(f"{len(report.pending)} pending")
    if report.sum_valid and not report.history_problems:
        typer.echo("atlas.sum: valid")
        return
    _fail("status", [*report.sum_problems, *report.history_problems])


@app.command()
def check() -> None:
    """Compare the schema built by migrations/ with the one the models declare (exit 1 when they differ)."""
    migrations = _container().migrations()
    try:
        difference = _run(migrations.check())
    except migrations.Error as error:
        _fail("check", error.problems)
    if difference.in_sync:
        typer.echo("schema in sync: migrations/ builds what the models declare")
        return
    typer.echo(
        "the models and migrations/ differ (+ only in the models, - only in migrations, ~ migrations -> models):"
    )
    for line in difference.lines():
        typer.echo(f"  {line}")
    typer.echo("write the missing migration with `keel db new NAME` (or by hand, then `keel db hash`)")
    raise typer.Exit(EXIT_PROBLEM)


@app.command()
def new(
    name: Annotated[str, typer.Argument(help="What the migration does, in lowercase_with_underscores.")],
) -> None:
    """Write the next migration from the difference between the models and migrations/, when it is additive."""
    migrations = _container().migrations()
    try:
        result = _run(migrations.new(name))
    except migrations.Error as error:
        _fail("new", error.problems)
    if result.path is None:
        typer.echo("nothing to do: the migrations already build what the models declare")
        return
    typer.echo(f"wrote {result.path} and refreshed atlas.sum:")
    for line in result.difference.lines():
        typer.echo(f"  {line}")
    typer.echo("review it, then apply it with `keel db upgrade`")


@app.command("hash")
def hash_() -> None:
    """Rewrite atlas.sum from the migration files (after writing or editing one by hand)."""
    migrations = _container().migrations()
    try:
        sums = migrations.rehash()
    except migrations.Error as error:
        _fail("hash", error.problems)
    typer.echo(f"atlas.sum rewritten: {len(sums.entries)} file(s), h1:{sums.total}")
