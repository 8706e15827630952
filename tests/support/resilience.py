"""The figures of the resilience suite: each scenario records a row, the run prints them as one table.

A test takes the ``resilience_figures`` fixture and calls it once with what it measured::

    async def test_redis_killed(resilience_figures: RecordFigures) -> None:
        ...
        resilience_figures(Figures(scenario="1. Redis killed under load", sent=3000, ok=3000, client_errors=0,
                                   server_errors=0, lost=0, recovery_seconds=1.4, notes="breaker opened 1x"))

The row travels with the test's report (``user_properties``), so it reaches the controller under pytest-xdist too;
at the end of the run the terminal summary prints the table (Markdown, ready for ``docs/explanation/resilience.md``)
and, when ``KEEL_RESILIENCE_REPORT`` names a file, writes it there.

This module is a pytest plugin (``pytest_plugins`` in ``tests/conftest.py``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Final

import pytest

PROPERTY: Final = "resilience_figures"
REPORT_ENV: Final = "KEEL_RESILIENCE_REPORT"
HEADER: Final = ("scenario", "sent", "2xx", "4xx", "5xx", "lost", "recovered in", "notes")


@dataclass(frozen=True, kw_only=True)
class Figures:
    """One scenario's outcome. ``sent`` counts requests (or items: users, rows, emails) the scenario pushed through;
    ``lost`` what was accepted but never arrived; ``recovery_seconds`` from the dependency's return to the first
    success (``None`` where nothing had to recover)."""

    scenario: str
    sent: int
    ok: int
    client_errors: int = 0
    server_errors: int = 0
    lost: int = 0
    recovery_seconds: float | None = None
    notes: str = ""

    def row(self) -> tuple[str, ...]:
        recovered = "—" if self.recovery_seconds is None else f"{self.recovery_seconds:.2f} s"
        counts = (self.sent, self.ok, self.client_errors, self.server_errors, self.lost)
        return (self.scenario, *(f"{count:,}" for count in counts), recovered, self.notes)


type RecordFigures = Callable[[Figures], None]


@pytest.fixture
def resilience_figures(request: pytest.FixtureRequest) -> RecordFigures:
    def record(figures: Figures) -> None:
        request.node.user_properties.append((PROPERTY, json.dumps(asdict(figures))))

    return record


_rows: list[Figures] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when != "call":
        return
    for name, value in report.user_properties:
        if name == PROPERTY:
            _rows.append(Figures(**json.loads(str(value))))


def table(rows: list[Figures]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(figures.row()) + " |" for figures in sorted(rows, key=lambda figures: figures.scenario)]
    return "\n".join(lines) + "\n"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _rows or hasattr(terminalreporter.config, "workerinput"):
        return
    text = table(_rows)
    terminalreporter.write_sep("=", "resilience figures")
    terminalreporter.write(text)
    target = os.environ.get(REPORT_ENV)
    if target:
        Path(target).write_text(text, encoding="utf-8")
        terminalreporter.write_line(f"(written to {target})")
