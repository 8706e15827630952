"""Readiness probes: each answers "can a client use this service now?" quickly, without raising."""

from __future__ import annotations

import http.client
import socket
import subprocess
from collections.abc import Sequence

PROBE_TIMEOUT_SECONDS = 1.0


def tcp_accepts(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=PROBE_TIMEOUT_SECONDS):
            return True
    except OSError:
        return False


def _exchange(host: str, port: int, request: bytes) -> bytes:
    try:
        with socket.create_connection((host, port), timeout=PROBE_TIMEOUT_SECONDS) as connection:
            if request:
                connection.sendall(request)
            return connection.recv(256)
    except OSError:
        return b""


def redis_answers_ping(host: str, port: int) -> bool:
    """True once Redis answers PING (not while it is still loading its snapshot)."""
    return _exchange(host, port, b"PING\r\n").startswith(b"+PONG")


def smtp_greets(host: str, port: int) -> bool:
    return _exchange(host, port, b"").startswith(b"220")


def http_ok(host: str, port: int, path: str) -> bool:
    connection = http.client.HTTPConnection(host, port, timeout=PROBE_TIMEOUT_SECONDS)
    try:
        connection.request("GET", path)
        return connection.getresponse().status == http.client.OK
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


def command_prints(command: Sequence[str], expected: str, timeout: float = 5.0) -> bool:
    """True if ``command`` exits 0 and its output contains ``expected``."""
    try:
        completed = subprocess.run(  # noqa: S603 - a fixed command line built by the stack
            command, capture_output=True, text=True, timeout=timeout, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return completed.returncode == 0 and expected in completed.stdout
