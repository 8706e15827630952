"""``keel jobs``: import users from a CSV file as a job, and follow a job's progress.

``keel jobs import FILE --tenant SLUG [--as EMAIL] [--send-welcome-email]`` runs the same use case as
``POST /api/v1/users/imports`` (the file is checked and stored, the job and its outbox message committed), acting as
the given user of the tenant (its first active owner by default), then shows a progress bar fed by the job's progress
until the job ends — the worker (``keel worker``) runs it. Imported users get no welcome email unless
``--send-welcome-email`` is given. ``keel jobs status JOB_ID`` prints a job's status and counts.

Exit codes: 0 the job succeeded (or, for ``status``, was found); 1 the job failed or was cancelled, or the file was
refused, or the tenant, user or job does not exist (one line on standard error says which).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn
from uuid import UUID

import typer

from keel.presentation.cli.context import cli_settings

if TYPE_CHECKING:
    from keel.application.jobs import Job

app = typer.Typer(name="jobs", help="Batch jobs: import users from CSV, follow a job.", no_args_is_help=True)

EXIT_FAILED = 1
POLL_SECONDS = 0.5
READ_BYTES = 256 * 1024


@app.callback()
def jobs() -> None:
    """Batch jobs: import users from CSV, follow a job."""


def _fail(command: str, message: str) -> NoReturn:
    typer.echo(f"keel jobs {command}: {message}", err=True)
    raise typer.Exit(EXIT_FAILED)


async def _provided(provider: Any) -> Any:
    value = provider()
    return await value if asyncio.iscoroutine(value) or asyncio.isfuture(value) else value


async def _file_chunks(path: Path) -> AsyncIterator[bytes]:
    source = await asyncio.to_thread(path.open, "rb")
    try:
        while chunk := await asyncio.to_thread(source.read, READ_BYTES):
            yield chunk
    finally:
        await asyncio.to_thread(source.close)


def _describe(job: Job) -> str:
    progress = job.progress
    total = "?" if progress.total is None else str(progress.total)
    line = (
        f"job {job.id}: {job.kind.value} {job.status.value} — {progress.processed}/{total} rows, "
        f"{progress.succeeded} succeeded, {progress.failed} failed"
    )
    return line + (f" ({job.error})" if job.error else "")


@app.command("import")
def import_users(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="The CSV file.")],
    tenant: Annotated[str, typer.Option("--tenant", help="Slug of the tenant to import into.")],
    as_user: Annotated[
        str | None, typer.Option("--as", help="Email of the user to act as (default: the tenant's first owner).")
    ] = None,
    wait: Annotated[bool, typer.Option(help="Follow the job until it ends (the worker runs it).")] = True,
    send_welcome_email: Annotated[
        bool, typer.Option(help="Send each imported user the welcome email (by default they are imported quietly).")
    ] = False,
) -> None:
    """Import users from FILE (header email,username,full_name,roles) and follow the job with a progress bar."""
    from keel.application.jobs import JobQuery, JobStatus, StartImportCommand
    from keel.container import build_container, running
    from keel.domain.errors import DomainError

    async def run() -> Job:
        container = build_container(cli_settings())
        async with running(container):
            act_as = await _provided(container.act_as_user)
            start_import = await _provided(container.start_user_import)
            get_job = await _provided(container.get_job)
            try:
                actor = await act_as(tenant, as_user)
                command = StartImportCommand(
                    actor=actor, content=_file_chunks(file), send_welcome_email=send_welcome_email
                )
                job: Job = await start_import(command)
            except DomainError as error:
                _fail("import", error.detail)
            typer.echo(f"job {job.id} queued: {job.progress.total} rows")
            if not wait:
                return job
            return await _follow(job, lambda: get_job(JobQuery(actor=actor, job_id=job.id)))

    job = asyncio.run(run())
    typer.echo(_describe(job))
    if job.error_report_key:
        typer.echo(f"error report: GET /api/v1/jobs/{job.id}/error-report")
    if wait and job.status is not JobStatus.SUCCEEDED:
        raise typer.Exit(EXIT_FAILED)


async def _follow(job: Job, read: Any) -> Job:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, transient=False) as progress:
        task = progress.add_task(job.status.value, total=job.progress.total)
        while not job.status.final:
            await asyncio.sleep(POLL_SECONDS)
            job = await read()
            progress.update(task, completed=job.progress.processed, description=job.status.value)
    return job


@app.command("status")
def status(job_id: Annotated[UUID, typer.Argument(help="The job's id.")]) -> None:
    """Print a job's kind, status and counts."""
    from keel.container import build_container, running
    from keel.domain.errors import DomainError

    async def run() -> Job:
        container = build_container(cli_settings())
        async with running(container):
            get_any_job = await _provided(container.get_any_job)
            try:
                job: Job = await get_any_job(job_id)
            except DomainError as error:
                _fail("status", error.detail)
            return job

    typer.echo(_describe(asyncio.run(run())))
