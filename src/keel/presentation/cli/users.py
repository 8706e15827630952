"""``keel users``: operator commands on users.

``keel users create-owner --tenant SLUG --email ADDRESS`` creates an owner — and the tenant, when no tenant has that
slug yet. The password is read from standard input with ``--password-stdin`` (one line; for scripts and secrets
managers), else prompted for twice without echo; it never appears in the arguments or the shell history. A problem
prints one line on standard error and exits 1.
"""

from __future__ import annotations

import asyncio
import inspect
import sys
from typing import Annotated, NoReturn

import typer

from keel.presentation.cli.context import cli_settings

app = typer.Typer(name="users", help="Operator commands on users: create a tenant's owner.", no_args_is_help=True)

EXIT_PROBLEM = 1


@app.callback()
def users() -> None:
    """Operator commands on users: create a tenant's owner."""


def _fail(message: str) -> NoReturn:
    typer.echo(f"keel users create-owner: {message}", err=True)
    raise typer.Exit(EXIT_PROBLEM)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            _fail("--password-stdin: standard input held no password")
        return line
    if not sys.stdin.isatty():
        _fail("no terminal to prompt for the password on; pass it on standard input with --password-stdin")
    prompted: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return prompted


@app.command("create-owner")
def create_owner(
    *,
    tenant: Annotated[str, typer.Option("--tenant", help="The tenant's slug; the tenant is created if it is new.")],
    email: Annotated[str, typer.Option("--email", help="The owner's email address.")],
    username: Annotated[
        str | None, typer.Option(help="The owner's username (default: the email's local part, lower-cased).")
    ] = None,
    full_name: Annotated[str, typer.Option(help="The owner's full name.")] = "",
    tenant_name: Annotated[
        str | None, typer.Option(help="The tenant's name if it is created (default: the slug).")
    ] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
) -> None:
    """Create an owner of a tenant (and the tenant if it does not exist yet)."""
    from keel.application.errors import ApplicationError
    from keel.application.tenants import CreateOwnerCommand
    from keel.application.users import NewUser
    from keel.container import build_container, running
    from keel.domain.errors import DomainError
    from keel.domain.users import InvalidUsername

    password = _password(password_stdin)
    command = CreateOwnerCommand(
        tenant_slug=tenant,
        tenant_name=tenant_name,
        owner=NewUser(
            email=email,
            username=username if username is not None else email.partition("@")[0].lower(),
            password=password,
            full_name=full_name,
        ),
    )
    container = build_container(cli_settings())

    async def run() -> None:
        async with running(container):
            provided = container.create_owner()  # awaitable once it depends on a started async resource
            create = await provided if inspect.isawaitable(provided) else provided
            result = await create(command)
        what = "created tenant" if result.tenant_created else "tenant"
        typer.echo(
            f"{what} {result.tenant.slug.value} ({result.tenant.id}): owner {result.owner.email.value} "
            f"({result.owner.id})"
        )

    try:
        asyncio.run(run())
    except InvalidUsername as error:
        _fail(f"{error}" if username is not None else f"{error} (taken from the email's local part: pass --username)")
    except (DomainError, ApplicationError) as error:
        _fail(str(error))
