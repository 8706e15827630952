"""What ``benchmarks.jobs`` reads of the processes it runs: CPU time from ``/proc`` (Linux), and its command line.

The machine running the benchmark is often shared, so wall time alone says little: each phase also reports the CPU
seconds the worker and the Temporal dev server spent in it, and the load average, so that a slow figure can be told
apart from a busy machine.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

CLOCK_TICKS: Final = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU seconds of a process (its children excluded) so far; 0 when unknown or gone."""
    if pid is None:
        return 0.0
    try:
        # The command name (field 2) may hold spaces: the fields after it follow the last ')'.
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime and stime, fields 14 and 15 of the line


@dataclass
class CpuMeter:
    """CPU seconds of named processes over a phase: ``start()``, then ``spent()``."""

    pids: dict[str, int | None]
    _start: dict[str, float] | None = None

    def start(self) -> None:
        self._start = {name: cpu_seconds(pid) for name, pid in self.pids.items()}

    def spent(self) -> dict[str, float]:
        start = self._start or {}
        return {name: cpu_seconds(pid) - start.get(name, 0.0) for name, pid in self.pids.items()}

    def describe(self, wall_seconds: float) -> str:
        """E.g. ``CPU: worker 12.3 s (41% of a core), temporal 20.1 s (67%); load average 3.10``."""
        parts = [
            f"{name} {seconds:.1f} s ({seconds / wall_seconds:.0%} of a core)" if wall_seconds > 0 else name
            for name, seconds in self.spent().items()
        ]
        return f"CPU: {', '.join(parts)}; load average {os.getloadavg()[0]:.2f}"


def parse_args(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.jobs", description=description)
    parser.add_argument(
        "--only", choices=("emails", "import"), help="Run one measurement (default: the emails, then the import)."
    )
    parser.add_argument(
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="KEEL_NAME=VALUE",
        help="A setting of the worker (repeatable), e.g. --set KEEL_JOBS__IMPORT_CHUNK_SIZE=500.",
    )
    parser.add_argument(
        "--rows", type=int, default=100_000, help="Rows of the imported CSV file (default 100,000; the target's size)."
    )
    arguments = parser.parse_args()
    for setting in arguments.settings:
        name, equals, _ = setting.partition("=")
        if not (equals and name.startswith("KEEL_") and not name.startswith("KEEL_BENCH_")):
            parser.error(f"--set expects KEEL_NAME=VALUE, not {setting!r}")
    if arguments.rows < 1:
        parser.error("--rows must be at least 1")
    return arguments


def worker_settings(arguments: argparse.Namespace) -> dict[str, str]:
    return dict(setting.partition("=")[::2] for setting in arguments.settings)
