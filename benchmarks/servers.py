"""Server processes under test: started in their own process group, pinned to a core, awaited, measured, stopped."""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

READY_DEADLINE_SECONDS = 30.0
STOP_GRACE_SECONDS = 15.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def pinned(command: list[str], cpu: int | None) -> list[str]:
    """``command`` run on one core through ``taskset``, or unchanged when there is no core to pin to."""
    if cpu is None or not shutil.which("taskset"):
        return command
    return ["taskset", "--cpu-list", str(cpu), *command]


@dataclass
class ServerProcess:
    """One HTTP server process; ``stop()`` ends its whole process group, whatever state it is in."""

    name: str
    command: list[str]
    port: int
    log_path: Path
    env: dict[str, str] | None = None  # the whole environment of the process; None inherits this one
    cwd: Path | None = None
    _process: subprocess.Popen[bytes] | None = None
    _log: IO[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._log = self.log_path.open("wb")
        self._process = subprocess.Popen(
            self.command,
            env=self.env,
            cwd=self.cwd,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so stop() reaches every child
        )

    def wait_until_serving(self, path: str, deadline_seconds: float = READY_DEADLINE_SECONDS) -> None:
        """Return once ``GET path`` answers 200; raise with the server's log when it exits or the deadline passes."""
        deadline = time.monotonic() + deadline_seconds
        last = "no answer"
        while time.monotonic() < deadline:
            # Checked without reaping it, so that stop() can still signal the group safely.
            if self._process is None or _exited_unreaped(self._process.pid, 0):
                raise RuntimeError(f"{self.name} exited before serving:\n{self.log_tail()}")
            try:
                status, body = self.get(path)
            except OSError as error:
                last = f"{type(error).__name__}: {error}"
            else:
                if status == 200:
                    return
                last = f"HTTP {status}: {body[:300]!r}"
            time.sleep(0.1)
        raise RuntimeError(
            f"{self.name} did not answer 200 on {path} in {deadline_seconds:g}s ({last}):\n{self.log_tail()}"
        )

    def get(self, path: str, headers: Mapping[str, str] | None = None) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
        try:
            connection.request("GET", path, headers=dict(headers or {}))
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def rss_bytes(self) -> int | None:
        """Resident memory of the server process, from /proc (Linux); None elsewhere or once it has exited."""
        if self._process is None:
            return None
        try:
            status = Path(f"/proc/{self._process.pid}/status").read_text()
        except OSError:
            return None
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        return None

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.returncode is None:
            _signal_group(process.pid, signal.SIGTERM)
            if not _exited_unreaped(process.pid, STOP_GRACE_SECONDS):
                _signal_group(process.pid, signal.SIGKILL)
                _exited_unreaped(process.pid, STOP_GRACE_SECONDS)
            # The leader is a zombie, so its group id cannot have been reused: end whatever it left in the group.
            _signal_group(process.pid, signal.SIGKILL)
            process.wait(timeout=STOP_GRACE_SECONDS)
        if self._log is not None:
            self._log.close()
            self._log = None


def _exited_unreaped(pid: int, timeout: float) -> bool:
    """Wait up to ``timeout`` for ``pid`` to exit without reaping it; True once it has exited."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
                return True
        except ChildProcessError:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


def _signal_group(pgid: int, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)
