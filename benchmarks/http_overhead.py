"""keel against its floor, route by route: the same requests, the same load, one server at a time."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from benchmarks.load import LoadGenerator, LoadResult
from benchmarks.servers import ServerProcess


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    path: str


SCENARIOS = (
    Scenario("live", "/health/live"),  # no I/O: routing, serialization, middleware
    Scenario("ready", "/health/ready"),  # PostgreSQL SELECT 1 + Redis PING, concurrently
)


@dataclass(frozen=True, slots=True)
class Measurement:
    scenario: Scenario
    server: str
    result: LoadResult
    rss_bytes: int | None
    round: int = 0


@dataclass(frozen=True, slots=True)
class Summary:
    """The median round of one server on one scenario (by req/s), with the range over every round.

    ``ratio`` is its req/s over the baseline's *in the same round*, the median over rounds: pairing by round keeps a
    drift of the machine between rounds out of the comparison. It is 1.0 for the baseline itself.
    """

    median: Measurement
    rounds: int
    lowest_rps: float
    highest_rps: float
    ratio: float | None


def _median(values: Sequence[float]) -> float | None:
    ordered = sorted(values)
    return ordered[(len(ordered) - 1) // 2] if ordered else None


def summarize(measurements: Sequence[Measurement], baseline: str) -> list[Summary]:
    """One summary per (scenario, server), in the order they were first measured."""
    groups: dict[tuple[str, str], list[Measurement]] = {}
    by_round: dict[tuple[str, str, int], float] = {}
    for m in measurements:
        groups.setdefault((m.scenario.name, m.server), []).append(m)
        by_round[m.scenario.name, m.server, m.round] = m.result.requests_per_second
    summaries: list[Summary] = []
    for (scenario, _server), group in groups.items():
        ordered = sorted(group, key=lambda m: m.result.requests_per_second)
        ratios = [
            m.result.requests_per_second / base
            for m in group
            if (base := by_round.get((scenario, baseline, m.round), 0.0)) > 0
        ]
        summaries.append(
            Summary(
                median=ordered[(len(ordered) - 1) // 2],
                rounds=len(ordered),
                lowest_rps=ordered[0].result.requests_per_second,
                highest_rps=ordered[-1].result.requests_per_second,
                ratio=_median(ratios),
            )
        )
    return summaries


def check_answers(servers: Sequence[ServerProcess], scenarios: Sequence[Scenario]) -> None:
    """Every server answers 200 and ``"status": "pass"`` on every scenario before any load.

    A benchmark of error pages or of a degraded dependency (a dead Redis makes readiness answer 200 "warn") measures
    the wrong path.
    """
    for scenario in scenarios:
        for server in servers:
            status, body = server.get(scenario.path)
            if status != 200 or _status_field(body) != "pass":
                raise RuntimeError(f"{server.name} answered {status} on {scenario.path}: {body[:500]!r}")


def _status_field(body: bytes) -> object:
    try:
        document = json.loads(body)
    except ValueError:
        return None
    return document.get("status") if isinstance(document, dict) else None


def measure(
    servers: Sequence[ServerProcess],
    scenarios: Sequence[Scenario],
    generator: LoadGenerator,
    *,
    warmup_s: float,
    duration_s: float,
    rounds: int,
    progress: Callable[[str], None],
) -> list[Measurement]:
    """Warm up then measure each server on each scenario, in turn; the other server idles meanwhile.

    With several rounds the servers take turns going first, so a drift of the machine (another job starting, the CPU
    warming) does not always land on the same one.
    """
    measurements: list[Measurement] = []
    for round_index in range(rounds):
        ordered = list(servers) if round_index % 2 == 0 else list(reversed(servers))
        label = f"round {round_index + 1}/{rounds} · " if rounds > 1 else ""
        for scenario in scenarios:
            for server in ordered:
                url = server.base_url + scenario.path
                if warmup_s > 0:
                    progress(f"{label}{scenario.name} · {server.name}: warming up {warmup_s:g}s")
                    generator.run(url, warmup_s)
                progress(f"{label}{scenario.name} · {server.name}: measuring {duration_s:g}s")
                result = generator.run(url, duration_s)
                measurements.append(Measurement(scenario, server.name, result, server.rss_bytes(), round_index))
    return measurements
