"""Children a previous run left running (its supervisor was killed, the terminal closed): found and stopped.

Each started child is recorded in ``run/<name>.pid`` as ``pid start-time stop-signal`` and forgotten once stopped.
A record whose process still runs with the same start time belongs to a dead stack (the stack lock proved no other
stack runs), so its process group is stopped before anything starts again. The start time guards against pid reuse.
"""

from __future__ import annotations

import contextlib
import math
import signal
import time

import psutil

from keel.devstack.process import signal_group
from keel.devstack.state import StateLayout

LEFTOVER_STOP_SECONDS = 10.0


class ProcessGone(Exception):
    """The process has exited (or is a zombie)."""


def running_command_line(pid: int) -> str:
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            raise ProcessGone(pid)
        return " ".join(str(part) for part in process.cmdline())
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        raise ProcessGone(pid) from None


def _start_time(pid: int) -> float | None:
    try:
        return float(psutil.Process(pid).create_time())
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return None


class ChildRecords:
    def __init__(self, layout: StateLayout) -> None:
        self._layout = layout

    def record(self, name: str, pid: int, stop_signal: signal.Signals) -> None:
        started = _start_time(pid)
        if started is not None:
            self._layout.pid_record(name).write_text(f"{pid} {started!r} {int(stop_signal)}\n")

    def forget(self, name: str) -> None:
        self._layout.pid_record(name).unlink(missing_ok=True)

    def stop_leftovers(self) -> list[str]:
        """Stop every recorded child still running; return one line per process stopped."""
        running: dict[int, str] = {}
        stopped: list[str] = []
        for record in sorted(self._layout.run.glob("*.pid")):
            name = record.stem
            with contextlib.suppress(OSError, ValueError, IndexError):
                pid_text, started_text, signal_text = record.read_text().split()[:3]
                pid, started = int(pid_text), float(started_text)
                actual = _start_time(pid)
                if actual is not None and math.isclose(actual, started, abs_tol=0.05):
                    signal_group(pid, int(signal_text))
                    running[pid] = name
                    stopped.append(f"{name} (pid {pid})")
            record.unlink(missing_ok=True)
        deadline = time.monotonic() + LEFTOVER_STOP_SECONDS
        while running and time.monotonic() < deadline:
            running = {pid: name for pid, name in running.items() if signal_group(pid, 0)}
            time.sleep(0.1)
        for pid in running:
            signal_group(pid, signal.SIGKILL)
        return stopped
