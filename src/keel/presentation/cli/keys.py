"""``keel keys``: the key ring that signs and verifies access tokens — rotate, list, prune.

The ring is ``KEEL_SECURITY__KEY_RING_DIR`` when set, else (outside production) the development ring in
``KEEL_SECURITY__KEYS_DIR``. A key configured as one PEM (``KEEL_SECURITY__JWT_PRIVATE_KEY``) is listed but cannot be
rotated here: rotating it is replacing the variable and restarting. Running processes follow a rotation within
``KEEL_SECURITY__KEY_RING_RELOAD_SECONDS``. A problem prints one line on standard error and exits 1; invalid settings
exit 2. See ``docs/how-to/rotate-keys.md``.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from keel.presentation.cli.context import cli_settings

if TYPE_CHECKING:
    from keel.container import Container

app = typer.Typer(
    name="keys",
    help="The key ring signing access tokens: rotate, list, prune.",
    no_args_is_help=True,
    add_completion=False,
)

EXIT_PROBLEM = 1
_PIPED_WIDTH = 160
_SINGLE_KEY = "KEEL_SECURITY__JWT_PRIVATE_KEY"


@app.callback()
def keys() -> None:
    """The key ring signing access tokens: rotate, list, prune."""


def _container() -> Container:
    from keel.container import build_container  # the container imports every adapter

    return build_container(cli_settings())


def _fail(command: str, message: str) -> NoReturn:
    typer.echo(f"keel keys {command}: {message}", err=True)
    raise typer.Exit(EXIT_PROBLEM)


def _moment(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _no_ring(command: str) -> NoReturn:
    settings = cli_settings()
    if settings.security.jwt_private_key is not None:
        _fail(
            command,
            f"the signing key is the single key in {_SINGLE_KEY}; to rotate without a restart, use a key "
            "ring: set KEEL_SECURITY__KEY_RING_DIR (see docs/how-to/rotate-keys.md)",
        )
    _fail(command, "production needs a key ring: set KEEL_SECURITY__KEY_RING_DIR (see docs/how-to/rotate-keys.md)")


@app.command()
def rotate(
    private_key_file: Annotated[
        Path | None,
        typer.Option(
            "--private-key-file",
            exists=True,
            dir_okay=False,
            readable=True,
            help="Add this PEM EC P-256 private key (made elsewhere) instead of generating one.",
        ),
    ] = None,
    retire_now: Annotated[
        bool,
        typer.Option(
            "--retire-now",
            help="The current key is compromised: retire it at once (its tokens fail from the next reload; clients "
            "refresh to get new ones).",
        ),
    ] = False,
) -> None:
    """Add a new signing key; the current one keeps verifying until its tokens have expired, then retires."""
    container = _container()
    directory = container.key_ring_directory()
    if directory is None:
        _no_ring("rotate")
    pem = private_key_file.read_text(encoding="utf-8") if private_key_file is not None else None
    try:
        rotation = directory.rotate(datetime.now(UTC), pem, retire_now=retire_now)
    except directory.Error as error:
        _fail("rotate", str(error))
    typer.echo(f"added signing key {rotation.added.kid} in {directory.path}")
    if rotation.demoted is None:
        typer.echo("the key ring was created with it")
    elif retire_now:
        typer.echo(
            f"{rotation.demoted.kid} retired at once and its private key deleted: tokens it signed fail from the next "
            "reload; clients refresh to get new ones"
        )
    else:
        security = cli_settings().security
        typer.echo(
            f"{rotation.demoted.kid} stopped signing; it verifies until {_moment(rotation.demoted.retire_after)} UTC "
            f"(token lifetime {security.access_token_ttl_seconds} s + leeway {security.jwt_leeway_seconds} s + "
            f"reload interval {security.key_ring_reload_seconds:g} s), then retires"
        )
    for entry in rotation.retired:
        typer.echo(f"retired {entry.kid} (past its retire time) and deleted its private key")
    typer.echo(f"running processes sign with the new key within {cli_settings().security.key_ring_reload_seconds:g} s")


@app.command("list")
def list_() -> None:
    """List the keys: kid, state now, created, when it retires (or retired)."""
    container = _container()
    directory = container.key_ring_directory()
    if directory is None:
        if cli_settings().security.jwt_private_key is None:
            _no_ring("list")
        typer.echo(f"{container.key_ring().signing.kid}  signing  (the single key in {_SINGLE_KEY})")
        return
    try:
        manifest = directory.read_manifest()
    except directory.Error as error:
        _fail("list", f"{error}; keel makes a development ring when it first starts, or run `keel keys rotate`")
    now = datetime.now(UTC)
    table = Table(title=f"key ring in {directory.path}")
    for column in ("kid", "state", "created (UTC)", "retires (UTC)", "file"):
        table.add_column(column, no_wrap=True)
    for entry in manifest.keys:
        table.add_row(
            entry.kid,
            str(entry.state_at(now)),
            _moment(entry.created_at),
            _moment(entry.retire_time()),
            entry.file or "",
        )
    console = Console(highlight=False, width=None if sys.stdout.isatty() else _PIPED_WIDTH)
    console.print(table, markup=False)


@app.command()
def prune() -> None:
    """Mark keys past their retire time retired and delete their private keys."""
    container = _container()
    directory = container.key_ring_directory()
    if directory is None:
        _no_ring("prune")
    try:
        retired = directory.prune(datetime.now(UTC))
    except directory.Error as error:
        _fail("prune", str(error))
    for entry in retired:
        typer.echo(f"retired {entry.kid} and deleted its private key")
    typer.echo(f"{len(retired)} key(s) retired" if retired else "nothing to prune: no key is past its retire time")
