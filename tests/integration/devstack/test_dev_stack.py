"""`keel dev` as a developer runs it: a real subprocess with every child, SIGTERM, a second run on the same data.

Each run gets its own state directory and free ports, so these tests run next to the rest of the suite.
"""

from __future__ import annotations

import asyncio
import os
import signal
import smtplib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import asyncpg
import httpx
import psutil
import pytest
import redis

from support.network import free_ports

pytestmark = [pytest.mark.devstack, pytest.mark.xdist_group("devstack")]

REPO_ROOT = Path(__file__).resolve().parents[3]
TEMPORAL_CLI = Path(sys.executable).parent / "temporal"
READY_DEADLINE_SECONDS = 90.0
STOP_DEADLINE_SECONDS = 45.0


@dataclass(frozen=True)
class DevPorts:
    postgres: int
    redis: int
    temporal: int
    temporal_ui: int
    smtp: int
    api: int


@pytest.fixture
def ports() -> DevPorts:
    return DevPorts(*free_ports(6))


def dev_environment(state_dir: Path, ports: DevPorts) -> dict[str, str]:
    """The caller's environment minus any KEEL_* (so every service is embedded), plus this run's ports."""
    environment = {name: value for name, value in os.environ.items() if not name.startswith("KEEL_")}
    return environment | {
        "KEEL_DEV__STATE_DIR": str(state_dir),
        "KEEL_DEV__POSTGRES_PORT": str(ports.postgres),
        "KEEL_DEV__REDIS_PORT": str(ports.redis),
        "KEEL_DEV__TEMPORAL_PORT": str(ports.temporal),
        "KEEL_DEV__TEMPORAL_UI_PORT": str(ports.temporal_ui),
        "KEEL_DEV__SMTP_PORT": str(ports.smtp),
        "KEEL_API__HOST": "127.0.0.1",
        "KEEL_API__PORT": str(ports.api),
        "KEEL_DATABASE__MIGRATIONS_DIR": str(REPO_ROOT / "migrations"),
        "KEEL_OBSERVABILITY__LOG_LEVEL": "WARNING",
    }


@dataclass
class DevRun:
    process: subprocess.Popen[bytes]
    output: Path

    def text(self) -> str:
        return self.output.read_text(errors="replace")


def start_dev(workdir: Path, ports: DevPorts) -> DevRun:
    output = workdir / f"dev-{time.monotonic_ns()}.out"
    with output.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "keel", "dev"],
            cwd=workdir,  # no .env of the developer's checkout is read
            env=dev_environment(workdir / "state", ports) | {"COLUMNS": "200"},
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    return DevRun(process, output)


def wait_until_ready(run: DevRun, ports: DevPorts) -> None:
    deadline = time.monotonic() + READY_DEADLINE_SECONDS
    url = f"http://127.0.0.1:{ports.api}/health/ready"
    while time.monotonic() < deadline:
        if run.process.poll() is not None:
            pytest.fail(f"keel dev exited with {run.process.returncode} before being ready:\n{run.text()}")
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"{url} did not answer 200 within {READY_DEADLINE_SECONDS:.0f} s:\n{run.text()}")


def stop_dev(run: DevRun) -> int:
    run.process.send_signal(signal.SIGTERM)
    try:
        return run.process.wait(STOP_DEADLINE_SECONDS)
    except subprocess.TimeoutExpired:
        pytest.fail(f"keel dev did not stop within {STOP_DEADLINE_SECONDS:.0f} s after SIGTERM:\n{run.text()}")


@contextmanager
def running_dev(workdir: Path, ports: DevPorts) -> Iterator[DevRun]:
    """A ready `keel dev`; killed with its whole family if the test fails before stopping it."""
    run = start_dev(workdir, ports)
    family: list[psutil.Process] = []
    try:
        wait_until_ready(run, ports)
        family = psutil.Process(run.process.pid).children(recursive=True)
        yield run
    finally:
        if run.process.poll() is None:
            family = family or psutil.Process(run.process.pid).children(recursive=True)
            run.process.kill()
            run.process.wait()
            for process in family:
                if process.is_running():
                    process.kill()


def database_query(port: int, sql: str) -> object:
    async def query() -> object:
        connection = await asyncpg.connect(host="127.0.0.1", port=port, user="postgres", database="keel")
        try:
            return await connection.fetchval(sql)
        finally:
            await connection.close()

    return asyncio.run(query())


def send_mail(port: int, subject: str) -> None:
    message = EmailMessage()
    message["From"] = "keel <no-reply@keel.localhost>"
    message["To"] = "ada@example.com"
    message["Subject"] = subject
    message.set_content("Welcome to keel.")
    with smtplib.SMTP("127.0.0.1", port, timeout=5) as client:
        client.send_message(message)


def wait_for_mail(folder: Path, subject: str, seconds: float = 10.0) -> Path:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for path in folder.glob("*.eml"):
            if f"Subject: {subject}" in path.read_text(errors="replace"):
                return path
        time.sleep(0.1)
    pytest.fail(f"no .eml file with subject {subject!r} in {folder}")


def temporal_health(port: int) -> str:
    command = [str(TEMPORAL_CLI), "operator", "cluster", "health", "--address", f"127.0.0.1:{port}"]
    return subprocess.run(command, capture_output=True, text=True, timeout=10, check=False).stdout


def assert_all_gone(processes: list[psutil.Process]) -> None:
    survivors = [process for process in processes if process.is_running() and process.status() != psutil.STATUS_ZOMBIE]
    assert survivors == [], f"still running after keel dev stopped: {survivors}"


@pytest.mark.timeout(300)
def test_dev_stops_cleanly_keeps_data_and_stops_when_a_child_dies(tmp_path: Path, ports: DevPorts) -> None:
    with running_dev(tmp_path, ports) as first:
        assert httpx.get(f"http://127.0.0.1:{ports.api}/health/live", timeout=5).status_code == 200
        send_mail(ports.smtp, "Welcome, Ada")
        assert wait_for_mail(tmp_path / "state" / "mail", "Welcome, Ada").suffix == ".eml"
        assert "SERVING" in temporal_health(ports.temporal)
        assert "✓ worker" in first.text()  # `keel worker` polls Temporal: its ready file exists
        assert (tmp_path / "state" / "run" / "worker.ready").exists()
        database_query(ports.postgres, "CREATE TABLE kept_across_runs (id int PRIMARY KEY)")
        redis.Redis(host="127.0.0.1", port=ports.redis).set("kept-across-runs", "yes")
        children = psutil.Process(first.process.pid).children(recursive=True)

        assert stop_dev(first) == 0, first.text()

    assert_all_gone(children)

    with running_dev(tmp_path, ports) as second:
        assert database_query(ports.postgres, "SELECT to_regclass('kept_across_runs')::text") == "kept_across_runs"
        assert redis.Redis(host="127.0.0.1", port=ports.redis).get("kept-across-runs") == b"yes"

        # A child dying on its own stops the whole stack, naming the child and its log.
        children = psutil.Process(second.process.pid).children(recursive=True)
        next(child for child in children if "redis-server" in child.name()).kill()
        assert second.process.wait(STOP_DEADLINE_SECONDS) == 1
        assert "redis stopped unexpectedly" in second.text()
        assert str(tmp_path / "state" / "logs" / "redis.log") in second.text()

    assert_all_gone(children)


@pytest.mark.timeout(60)
def test_a_busy_port_is_named_and_nothing_starts(tmp_path: Path, ports: DevPorts) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", ports.redis))
        squatter.listen()

        completed = subprocess.run(
            [sys.executable, "-m", "keel", "dev"],
            cwd=tmp_path,
            env=dev_environment(tmp_path / "state", ports) | {"COLUMNS": "200"},
            capture_output=True,
            text=True,
            timeout=45,
            check=False,
        )

    output = completed.stdout + completed.stderr
    assert completed.returncode != 0, output
    assert f"port {ports.redis} (redis, KEEL_DEV__REDIS_PORT) is already in use" in output
    assert list((tmp_path / "state" / "logs").glob("*.log")) == [], "a service started despite the busy port"
