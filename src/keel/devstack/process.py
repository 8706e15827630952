"""A child process of the stack: started in its own process group, output to a log file, stopped gracefully."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from keel.devstack.errors import DevStackError

LEFTOVER_GRACE_SECONDS = 2.0


@dataclass(frozen=True)
class RunAs:
    """An unprivileged system account a child runs as (PostgreSQL refuses to run as root)."""

    name: str
    uid: int
    gid: int


class SupervisedProcess:
    """One child: its own process group (so signals reach grandchildren), stdout and stderr to ``log_path``."""

    def __init__(
        self,
        name: str,
        command: Sequence[str],
        *,
        log_path: Path,
        env: Mapping[str, str] | None = None,
        run_as: RunAs | None = None,
        stop_signal: signal.Signals = signal.SIGTERM,
        stop_timeout: float = 10.0,
    ) -> None:
        self.name = name
        self.command = tuple(command)
        self.log_path = log_path
        self._env = dict(env) if env is not None else None
        self._run_as = run_as
        self._stop_signal = stop_signal
        self._stop_timeout = stop_timeout
        self._popen: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def pid(self) -> int:
        if self._popen is None:
            raise RuntimeError(f"{self.name} was not started")
        return self._popen.pid

    def start(self) -> None:
        self._log = self.log_path.open("wb")
        run_as = self._run_as
        try:
            self._popen = subprocess.Popen(  # noqa: S603 - a fixed command line built by the stack
                self.command,
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                env=self._env,
                process_group=0,
                close_fds=True,
                user=None if run_as is None else run_as.uid,
                group=None if run_as is None else run_as.gid,
                extra_groups=None if run_as is None else [],
            )
        except OSError as error:
            self._log.close()
            raise DevStackError(f"{self.name} could not start ({self.command[0]}): {error}") from error

    def exit_code(self) -> int | None:
        """``None`` while running; the exit status (negative: killed by that signal) once it has exited."""
        return None if self._popen is None else self._popen.poll()

    def wait(self, timeout: float) -> int | None:
        if self._popen is None:
            return None
        try:
            return self._popen.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self) -> bool:
        """Signal the child, wait up to the timeout, then SIGKILL its group; then stop what is left of the group
        (grandchildren). ``True`` if the child stopped within the timeout."""
        if self._popen is None:
            return True
        graceful = True
        if self._popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._popen.pid, self._stop_signal)
            if self.wait(self._stop_timeout) is None:
                graceful = False
                signal_group(self._popen.pid, signal.SIGKILL)
                self._popen.wait()
        stop_process_group(self._popen.pid)
        if self._log is not None:
            self._log.close()
            self._log = None
        return graceful

    def describe_exit(self) -> str:
        code = self.exit_code()
        if code is None:
            return "is running"
        if code < 0:
            try:
                return f"was killed by {signal.Signals(-code).name}"
            except ValueError:
                return f"was killed by signal {-code}"
        return f"exited with code {code}"

    def log_tail(self, lines: int = 15) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def signal_group(group_id: int, signal_number: int) -> bool:
    """Signal every process of a group; ``False`` if the group has no process left."""
    try:
        os.killpg(group_id, signal_number)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_process_group(group_id: int, grace: float = LEFTOVER_GRACE_SECONDS) -> None:
    """Stop what is left of a group whose leader has exited: SIGTERM, then SIGKILL after ``grace`` seconds."""
    if not signal_group(group_id, signal.SIGTERM):
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not signal_group(group_id, 0):
            return
        time.sleep(0.05)
    signal_group(group_id, signal.SIGKILL)
