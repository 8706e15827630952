"""The table ``make bench`` prints, and every measured round as JSON for comparing runs."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks.http_overhead import Measurement, Summary

FLOOR = "floor"


def _mib(value: int | None) -> str:
    return "—" if value is None else f"{value / 2**20:.0f} MiB"


def render(console: Console, summaries: Sequence[Summary], caption: str) -> None:
    several_rounds = any(summary.rounds > 1 for summary in summaries)
    table = Table(title="keel against its floor", caption=caption, caption_justify="left")
    table.add_column("scenario", no_wrap=True)
    table.add_column("server", no_wrap=True)
    table.add_column("req/s", justify="right")
    if several_rounds:
        table.add_column("req/s range", justify="right")
    table.add_column("p50", justify="right")
    table.add_column("p99", justify="right")
    table.add_column("keel/floor req/s", justify="right")
    table.add_column("RSS after", justify="right")
    table.add_column("errors", justify="right")
    previous = None
    for summary in summaries:
        measurement = summary.median
        result = measurement.result
        if previous is not None and previous != measurement.scenario:
            table.add_section()
        previous = measurement.scenario
        cells = [
            measurement.scenario.path,
            measurement.server,
            f"{result.requests_per_second:,.0f}",
        ]
        if several_rounds:
            cells.append(f"{summary.lowest_rps:,.0f}–{summary.highest_rps:,.0f}")
        cells += [
            f"{result.p50_ms:.2f} ms",
            f"{result.p99_ms:.2f} ms",
            "—" if summary.ratio is None else f"{summary.ratio:.2f}",
            _mib(measurement.rss_bytes),
            f"[red]{result.errors}[/red]" if result.errors else "0",
        ]
        table.add_row(*cells)
    console.print(table)


def write_json(path: Path, measurements: Sequence[Measurement], context: dict[str, object]) -> None:
    rows = [
        {
            "round": m.round,
            "scenario": m.scenario.name,
            "path": m.scenario.path,
            "server": m.server,
            "tool": m.result.tool,
            "requests": m.result.requests,
            "duration_s": round(m.result.duration_s, 3),
            "requests_per_second": round(m.result.requests_per_second, 1),
            "p50_ms": round(m.result.p50_ms, 3),
            "p99_ms": round(m.result.p99_ms, 3),
            "socket_errors": m.result.socket_errors,
            "bad_status": m.result.bad_status,
            "rss_bytes": m.rss_bytes,
        }
        for m in measurements
    ]
    path.write_text(json.dumps({"context": context, "results": rows}, indent=2) + "\n")
