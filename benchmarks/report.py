"""The tables ``make bench`` prints, and every measured round and target as JSON for comparing runs."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks.http_overhead import KEEL, CacheCounts, Measurement, Summary
from benchmarks.targets import Target
from benchmarks.writes import WriteFigures

MET = {True: "[green]✓[/green]", False: "[bold red]✗[/bold red]", None: "—"}


def _mib(value: int | None) -> str:
    return "—" if value is None else f"{value / 2**20:.0f} MiB"


def _target_cell(summary: Summary) -> str:
    goal = summary.median.scenario.ratio_target
    if goal is None or summary.median.server != KEEL:
        return ""
    met = None if summary.ratio is None else summary.ratio >= goal
    return f"≥ {goal:.2f} {MET[met]}"


def _hit_cell(measurement: Measurement) -> str:
    counts = measurement.cache
    if counts is None:
        return ""
    if counts.hit_ratio is None:
        return "no lookups"
    warm = "" if counts.warm_hit_ratio is None else f" (warm {counts.warm_hit_ratio:.1%})"
    return f"{counts.hit_ratio:.1%}{warm}"


def render(console: Console, summaries: Sequence[Summary], caption: str) -> None:
    several_rounds = any(summary.rounds > 1 for summary in summaries)
    with_targets = any(summary.median.scenario.ratio_target is not None for summary in summaries)
    with_cache = any(summary.median.cache is not None for summary in summaries)
    table = Table(title="keel against its floor", caption=caption, caption_justify="left")
    table.add_column("scenario", no_wrap=True)
    table.add_column("server", no_wrap=True)
    table.add_column("req/s", justify="right")
    if several_rounds:
        table.add_column("req/s range", justify="right")
    table.add_column("p50", justify="right")
    table.add_column("p99", justify="right")
    table.add_column("keel/floor req/s", justify="right")
    if with_targets:
        table.add_column("target", justify="right", no_wrap=True)
    if with_cache:
        table.add_column("cache hits", justify="right", no_wrap=True)
    table.add_column("PG conns opened", justify="right")
    table.add_column("RSS after", justify="right")
    table.add_column("errors", justify="right")
    previous = None
    for summary in summaries:
        measurement = summary.median
        result = measurement.result
        if previous is not None and previous != measurement.scenario:
            table.add_section()
        previous = measurement.scenario
        cells = [measurement.scenario.path, measurement.server, f"{result.requests_per_second:,.0f}"]
        if several_rounds:
            cells.append(f"{summary.lowest_rps:,.0f}–{summary.highest_rps:,.0f}")
        cells += [
            f"{result.p50_ms:.2f} ms",
            f"{result.p99_ms:.2f} ms",
            "—" if summary.ratio is None else f"{summary.ratio:.2f}",
        ]
        if with_targets:
            cells.append(_target_cell(summary))
        if with_cache:
            cells.append(_hit_cell(measurement))
        cells += [
            "—" if measurement.pg_connections is None else str(measurement.pg_connections),
            _mib(measurement.rss_bytes),
            f"[red]{result.errors}[/red]" if result.errors else "0",
        ]
        table.add_row(*cells)
    console.print(table)


def render_targets(console: Console, targets: Sequence[Target], caption: str) -> None:
    table = Table(title="targets", caption=caption, caption_justify="left")
    table.add_column("figure")
    table.add_column("measured")
    table.add_column("target", justify="right", no_wrap=True)
    table.add_column("met", justify="center")
    for target in targets:
        table.add_row(target.figure, target.measured, target.goal, MET[target.met])
    console.print(table)


def _cache_figures(counts: CacheCounts) -> dict[str, object]:
    return {
        **asdict(counts),
        "hit_ratio": counts.hit_ratio,
        "warm_hit_ratio": counts.warm_hit_ratio,
        "lookups_per_request": counts.lookups_per_request,
    }


def write_json(
    path: Path,
    measurements: Sequence[Measurement],
    context: dict[str, object],
    *,
    targets: Sequence[Target] = (),
    writes: WriteFigures | None = None,
) -> None:
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
            "pg_connections_opened": m.pg_connections,
            "cache": None if m.cache is None else _cache_figures(m.cache),
        }
        for m in measurements
    ]
    document = {
        "context": context,
        "results": rows,
        "targets": [asdict(target) for target in targets],
        "writes": None
        if writes is None
        else {**asdict(writes), "speedup": writes.speedup, "speedup_without_hashing": writes.speedup_without_hashing},
    }
    path.write_text(json.dumps(document, indent=2) + "\n")
