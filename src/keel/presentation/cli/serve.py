"""``keel serve``: run the HTTP API with uvicorn (one process; scale out with more processes behind a balancer)."""

from __future__ import annotations

import math
from typing import Annotated

import typer

from keel.presentation.cli.context import cli_settings


def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind; default KEEL_API__HOST.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on; default KEEL_API__PORT.")] = None,
) -> None:
    """Run the API server until SIGINT/SIGTERM; in-flight requests finish first."""
    import uvicorn

    from keel.presentation.api.app import create_app

    settings = cli_settings()
    app = create_app(settings)
    uvicorn.run(
        app,
        host=host or settings.api.host,
        port=port or settings.api.port,
        loop="uvloop",
        http="httptools",
        log_config=None,
        access_log=False,
        proxy_headers=False,
        server_header=False,
        date_header=True,
        root_path=settings.api.root_path,
        timeout_graceful_shutdown=math.ceil(settings.api.shutdown_grace_seconds),
    )
