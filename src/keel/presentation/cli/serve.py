"""``keel serve``: run the HTTP API with uvicorn (one process; scale out with more processes behind a balancer)."""

from __future__ import annotations

import math
import sys
from typing import Annotated

import typer

from keel.presentation.cli.context import EXIT_INVALID_SETTINGS, cli_settings
from keel.settings import SettingsError


def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind; default KEEL_API__HOST.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on; default KEEL_API__PORT.")] = None,
) -> None:
    """Run the API server until SIGINT/SIGTERM: readiness fails first, then in-flight requests finish."""
    import uvicorn

    from keel.presentation.api.app import create_app
    from keel.presentation.api.lifecycle import DrainingServer

    settings = cli_settings()
    app = create_app(settings)
    try:
        # Load (or, in development, create) the keys now: a bad key stops the start, not the first login or the first
        # signed partner request.
        app.state.container.key_ring()
        app.state.container.client_secret_key()
    except SettingsError as error:
        print(f"keel: {error}", file=sys.stderr)
        raise SystemExit(EXIT_INVALID_SETTINGS) from None
    config = uvicorn.Config(
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
    server = DrainingServer(
        config, state=app.state.shutdown, drain_delay_seconds=settings.api.shutdown_drain_delay_seconds
    )
    server.run()
