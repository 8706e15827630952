"""Graceful shutdown of a real ``keel serve``: on SIGTERM readiness turns 503 while the listener still accepts, then
the listener closes, and requests in flight at the signal all complete before the process exits."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from support.network import free_port
from support.temporal import TEMPORAL_GROUP, DevServer

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

STARTUP_DEADLINE_SECONDS = 30
DRAIN_DELAY_SECONDS = 3
GRACE_SECONDS = 20
IN_FLIGHT = 3


def _ready_status(port: int) -> int | None:
    """The readiness status code, or ``None`` when nothing accepts connections any more."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/ready", timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code
    except (ConnectionRefusedError, ConnectionResetError, urllib.error.URLError):
        return None


def _sign_up_body(number: int) -> bytes:
    return json.dumps(
        {
            "slug": f"drain-{number}",
            "name": f"Drain {number}",
            "owner": {
                "email": f"owner@drain-{number}.example",
                "username": f"owner{number}",
                "password": "correct horse battery staple",
            },
        }
    ).encode()


def _start_request(port: int, body: bytes) -> socket.socket:
    """A sign-up whose headers and first half of the body are sent: in flight until the rest follows."""
    connection = socket.create_connection(("127.0.0.1", port), timeout=GRACE_SECONDS)
    head = (
        f"POST /api/v1/tenants HTTP/1.1\r\nHost: keel.test\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    connection.sendall(head + body[: len(body) // 2])
    return connection


def _finish_request(connection: socket.socket, body: bytes) -> int:
    connection.sendall(body[len(body) // 2 :])
    response = b""
    while b"\r\n" not in response:
        chunk = connection.recv(4096)
        if not chunk:
            break
        response += chunk
    connection.close()
    return int(response.split(b" ", 2)[1])


@pytest.mark.xdist_group(TEMPORAL_GROUP)
def test_sigterm_fails_readiness_first_then_drains_in_flight_requests(
    database_url: str, redis_url: str, temporal_dev_server: DevServer, tmp_path: Path
) -> None:
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("KEEL_")},
        "KEEL_ENVIRONMENT": "test",
        "KEEL_DATABASE__URL": database_url,
        "KEEL_CACHE__URL": redis_url,
        "KEEL_TEMPORAL__ADDRESS": temporal_dev_server.address,
        "KEEL_API__PORT": str(port),
        "KEEL_API__SHUTDOWN_DRAIN_DELAY_SECONDS": str(DRAIN_DELAY_SECONDS),
        "KEEL_API__SHUTDOWN_GRACE_SECONDS": str(GRACE_SECONDS),
        "KEEL_SECURITY__ARGON2_TIME_COST": "1",
        "KEEL_SECURITY__ARGON2_MEMORY_COST_KIB": "1024",
        "KEEL_OBSERVABILITY__LOG_FORMAT": "json",
    }
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "keel", "serve"], env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + STARTUP_DEADLINE_SECONDS
            while _ready_status(port) != 200:
                assert process.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, "keel serve did not become ready"
                time.sleep(0.1)

            bodies = [_sign_up_body(number) for number in range(IN_FLIGHT)]
            in_flight = [_start_request(port, body) for body in bodies]
            process.send_signal(signal.SIGTERM)

            observed: list[int | None] = []
            while not observed or observed[-1] is not None:  # until the listener is closed
                observed.append(_ready_status(port))
                time.sleep(0.05)
            statuses = [_finish_request(connection, body) for connection, body in zip(in_flight, bodies, strict=True)]

            exit_code = process.wait(timeout=DRAIN_DELAY_SECONDS + GRACE_SECONDS + 15)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()

    assert statuses == [201] * IN_FLIGHT, log_path.read_text()
    assert 503 in observed, observed  # readiness failed while connections were still accepted ...
    assert observed[observed.index(503) :] == [503] * (len(observed) - observed.index(503) - 1) + [
        None
    ]  # ... then closed
    assert exit_code == -signal.SIGTERM
    events = [json.loads(line)["event"] for line in log_path.read_text().splitlines() if line.startswith("{")]
    assert events.index("api.shutdown.draining") < events.index("api.shutdown.closing_listener")
    assert events.index("api.shutdown.closing_listener") < events.index("database.engine.stopped")
