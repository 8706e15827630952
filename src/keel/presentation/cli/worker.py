"""``keel worker``: the outbox relay and the Temporal workers (one process; run several for more throughput)."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from keel.presentation.cli.context import cli_settings


def worker(
    ready_file: Annotated[
        Path | None,
        typer.Option(help="A file created once the worker polls Temporal and removed when it stops (readiness)."),
    ] = None,
) -> None:
    """Relay the outbox to Temporal and run the workflows and activities until SIGTERM/SIGINT.

    On a stop signal, polling stops, running activities get KEEL_TEMPORAL__WORKER_SHUTDOWN_GRACE_SECONDS to finish,
    then resources close in the reverse order of their start.
    """
    from keel.presentation.worker import run_worker_process

    code = run_worker_process(cli_settings(), ready_file=ready_file)
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    # Leave without the interpreter's finalisation: the Temporal SDK's native runtime keeps threads that can crash
    # the process while Python tears its modules down (a segfault at exit, seen in plain scripts). Everything is
    # stopped, closed and flushed by now, so nothing is lost by skipping it.
    os._exit(code)
