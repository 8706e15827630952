"""``keel cache``: the Redis cache of users.

``keel cache stats`` counts what the cache holds in Redis (users, leases, bytes, encodings by dictionary) from any
machine that reaches it; the per-process hit and miss counters are metrics.

``keel cache train-dict`` rebuilds the zstd dictionary cached users are compressed with: it generates realistic users
(deterministic for a seed; Faker, from the development dependencies), trains a dictionary on them, writes it — by
default into the package's dictionaries directory, ready to be committed — and prints the compression ratio measured
on held-out users. Rolling it out is a reviewed code change: the command prints the line to edit (see
``docs/adr/0004-user-cache-consistency.md``). ``--from-database`` (train on real rows) needs a source of user rows in
the container, which is not wired yet.

The trainer and the census come from the container (``cache_dictionary_trainer``, ``user_cache_census``):
presentation does not import infrastructure.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from keel.presentation.cli.context import cli_settings

if TYPE_CHECKING:
    from keel.container import Container

app = typer.Typer(
    name="cache",
    help="The Redis cache of users: count what it holds, train its compression dictionary.",
    no_args_is_help=True,
    add_completion=False,
)

EXIT_PROBLEM = 1
DICTIONARIES_MODULE = "keel/infrastructure/cache/dictionaries/__init__.py"


@app.callback()
def cache() -> None:
    """The Redis cache of users: count what it holds, train its compression dictionary."""


def _container() -> Container:
    from keel.container import build_container  # the container imports every adapter

    return build_container(cli_settings())


def _fail(message: str) -> NoReturn:
    typer.echo(f"keel cache train-dict: {message}", err=True)
    raise typer.Exit(EXIT_PROBLEM)


@app.command("train-dict")
def train_dict(
    samples: Annotated[int | None, typer.Option(min=100, help="Generated users to train on (default 200000).")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the training users; held-out users use another.")] = 0,
    size: Annotated[int | None, typer.Option(min=1024, help="Dictionary size in bytes (default 524288).")] = None,
    output: Annotated[
        Path | None, typer.Option(help="Directory or file to write (default: the package dictionaries).")
    ] = None,
    from_database: Annotated[
        bool, typer.Option("--from-database", help="Train on users read from the database (not wired yet).")
    ] = False,
) -> None:
    """Train a new compression dictionary for cached users and print the ratio it achieves."""
    if from_database:
        _fail("--from-database needs a source of user rows in the container, not wired yet; train on generated users")
    options: dict[str, Any] = {} if size is None else {"dict_size": size}
    trainer = _container().cache_dictionary_trainer(**options)
    typer.echo(f"training a {trainer.dict_size}-byte dictionary on generated users (this takes a minute)...")
    try:
        trained = (
            trainer.train_on_generated(seed=seed) if samples is None else trainer.train_on_generated(samples, seed=seed)
        )
    except trainer.Error as error:
        _fail(str(error))
    path = trained.write(output if output is not None else trainer.default_directory)
    typer.echo(f"wrote {path}: dictionary {trained.dict_id:08x}, trained on {trained.samples} users")
    typer.echo(trained.report.describe())
    typer.echo(
        f'to roll it out: in {DICTIONARIES_MODULE}, set CURRENT = "{trained.file_name}"; the old one goes to PREVIOUS'
    )


@app.command("stats")
def stats(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of a table.")] = False,
) -> None:
    """Count what the user cache holds in Redis: users, leases, bytes, encodings, and Redis's own figures."""
    import asyncio
    import dataclasses
    import json

    from redis.exceptions import RedisError

    from keel.container import running
    from keel.settings import CacheMode

    settings = cli_settings()
    if settings.cache.mode is not CacheMode.REDIS:
        typer.echo("keel cache stats: the cache is off (KEEL_CACHE__MODE=off): nothing to count", err=True)
        raise typer.Exit(EXIT_PROBLEM)
    container = _container()

    async def take() -> Any:
        async with running(container):
            census = container.user_cache_census()
            return await (await census if inspect.isawaitable(census) else census).take()

    try:
        result = asyncio.run(take())
    except (RedisError, OSError) as error:
        typer.echo(f"keel cache stats: Redis did not answer: {type(error).__name__}: {error}", err=True)
        raise typer.Exit(EXIT_PROBLEM) from None
    if as_json:
        typer.echo(json.dumps(dataclasses.asdict(result), sort_keys=True))
        return
    typer.echo(f"cached users   {result.users}")
    typer.echo(f"leases         {result.leases}")
    typer.echo(
        f"value bytes    {result.value_bytes}"
        + (f" ({result.value_bytes // result.users} per user)" if result.users else "")
    )
    for encoding, count in result.encodings.items():
        typer.echo(f"  {encoding:<22} {count}")
    for name, value in result.server.items():
        typer.echo(f"redis {name:<18} {value}")
