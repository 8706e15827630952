"""keel against its floor, route by route: the same requests, the same load, one server at a time."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from benchmarks.cache_figures import RedisProbe
from benchmarks.load import LoadGenerator, LoadResult, Requests
from benchmarks.scratch_db import ScratchDatabase
from benchmarks.servers import ServerProcess
from benchmarks.workload import ZipfStream

KEEL = "keel"
FLOOR = "floor"


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    path: str  # as the table shows it
    cache: str = "redis"  # KEEL_CACHE__MODE of the keel (and the cache of the floor) it runs against
    users: bool = False  # needs the seeded users and a bearer token
    zipf: bool = False  # GETs the users by id in Zipf order instead of `path`
    counts_cache: bool = False  # reads Redis's hit and miss counters around each measurement
    ratio_target: float | None = None  # the keel/floor req/s it should reach
    load: bool = True  # False: measured apart, not under wrk (batch-vs-single)


USER_PATH = "/api/v1/users/{id}"
LIST_PATH = "/api/v1/users?limit=20"
SCENARIOS = (
    Scenario("live", "/health/live"),  # no I/O: routing, serialization, middleware
    Scenario("ready", "/health/ready"),  # PostgreSQL SELECT 1 + Redis PING, concurrently
    Scenario("user-get-uncached", f"{USER_PATH} · cache off", cache="off", users=True, zipf=True, ratio_target=0.7),
    Scenario(
        "user-get-cached",
        f"{USER_PATH} · cache on",
        users=True,
        zipf=True,
        counts_cache=True,
        ratio_target=0.8,
    ),
    Scenario("user-list", LIST_PATH, users=True),  # first page, 21 rows read: one more tells if there is a next page
    Scenario("batch-vs-single", "POST /api/v1/users/batch", users=True, load=False),
)


@dataclass(frozen=True, slots=True)
class Plan:
    """One load scenario ready to run: its servers by role (``keel``, ``floor``) and what to send them."""

    scenario: Scenario
    servers: tuple[tuple[str, ServerProcess], ...]
    requests: Requests
    stream: ZipfStream | None = None


@dataclass(frozen=True, slots=True)
class CacheCounts:
    """Redis ``keyspace_hits``/``keyspace_misses`` gained during one measurement, and the id stream's cold requests.

    The hit ratio is ``1 - misses / requests``: each request starts with one ``GET`` of its user, which misses exactly
    when the user is not cached. Hits are not counted directly because a cache may read the key again on a miss (keel's
    read-through store checks its lease with a ``GET`` inside a script before storing, which Redis counts as a hit);
    writes (``SET``, ``SET NX``) count as neither. A reader that finds another reader's lease and waits for its value
    counts as a hit here: an approximation, for concurrent misses on one key.

    ``cold`` counts the requests that were the first for their id since the cache was emptied: no cache can serve
    those, and over a run of seconds they are most misses. ``warm_hit_ratio`` leaves them out — the hit ratio on ids
    asked for before, what a cache in service, warm for hours, would see (apart from expiries, which a run shorter
    than the TTL has none of).
    """

    hits: int
    misses: int
    requests: int
    cold: int | None

    @property
    def lookups(self) -> int:
        return self.hits + self.misses

    @property
    def hit_ratio(self) -> float | None:
        if not self.lookups or not self.requests:
            return None  # the server did not use Redis
        return max(0.0, 1 - self.misses / self.requests)

    @property
    def warm_hit_ratio(self) -> float | None:
        if self.cold is None or not self.lookups or self.requests <= self.cold:
            return None
        return max(0.0, 1 - max(0, self.misses - self.cold) / (self.requests - self.cold))

    @property
    def lookups_per_request(self) -> float:
        return self.lookups / self.requests if self.requests else 0.0


@dataclass(frozen=True, slots=True)
class Measurement:
    scenario: Scenario
    server: str
    result: LoadResult
    rss_bytes: int | None
    round: int = 0
    cache: CacheCounts | None = None
    pg_connections: int | None = None  # PostgreSQL connections opened during the measurement


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


def check_answers(plans: Sequence[Plan], sample_ids: Sequence[str]) -> None:
    """Before any load, every server answers every scenario correctly, and keel and its floor with the same JSON.

    A benchmark of error pages or of a degraded dependency (a dead Redis makes readiness answer 200 "warn") measures
    the wrong path; a floor that writes less JSON than keel measures less work.
    """
    for plan in plans:
        headers = dict(plan.requests.headers)
        paths = [USER_PATH.format(id=user_id) for user_id in sample_ids] if plan.scenario.zipf else [plan.requests.path]
        for path in paths:
            answers = {}
            for role, server in plan.servers:
                status, body = server.get(path, headers)
                if status != 200 or (not plan.scenario.users and _document(body).get("status") != "pass"):
                    raise RuntimeError(f"{server.name} answered {status} on {path}: {body[:500]!r}")
                answers[role] = body
            if plan.scenario.users and _comparable(answers[KEEL]) != _comparable(answers[FLOOR]):
                raise RuntimeError(
                    f"keel and the floor answer {path} differently:\n  keel:  {answers[KEEL][:600]!r}\n"
                    f"  floor: {answers[FLOOR][:600]!r}"
                )


def _document(body: bytes) -> dict[str, object]:
    try:
        document = json.loads(body)
    except ValueError:
        return {}
    return document if isinstance(document, dict) else {}


def _comparable(body: bytes) -> object:
    """A user byte for byte; a page by its items and whether it has a next cursor (each server signs its own)."""
    document = _document(body)
    if "items" in document:
        return json.dumps(document["items"]), document.get("next_cursor") is not None
    return body


@dataclass
class _Positions:
    """Where each server is in its id stream: warm-ups and measurements continue one stream, across rounds too."""

    next: dict[tuple[str, str], int] = field(default_factory=dict)

    def take(self, plan: Plan, server: ServerProcess) -> int:
        return self.next.get((plan.scenario.name, server.name), 0)

    def advance(self, plan: Plan, server: ServerProcess, sent: int) -> None:
        self.next[plan.scenario.name, server.name] = self.take(plan, server) + sent


def measure(
    plans: Sequence[Plan],
    generator: LoadGenerator,
    *,
    warmup_s: float,
    duration_s: float,
    rounds: int,
    progress: Callable[[str], None],
    redis: RedisProbe | None = None,
    database: ScratchDatabase | None = None,
) -> list[Measurement]:
    """Warm up then measure each server on each scenario, in turn; the other server idles meanwhile.

    With several rounds the servers take turns going first, so a drift of the machine (another job starting, the CPU
    warming) does not always land on the same one.
    """
    measurements: list[Measurement] = []
    positions = _Positions()
    for round_index in range(rounds):
        label = f"round {round_index + 1}/{rounds} · " if rounds > 1 else ""
        for plan in plans:
            ordered = list(plan.servers) if round_index % 2 == 0 else list(reversed(plan.servers))
            for role, server in ordered:
                if warmup_s > 0:
                    progress(f"{label}{plan.scenario.name} · {server.name}: warming up {warmup_s:g}s")
                    requests = plan.requests.from_offset(positions.take(plan, server))
                    positions.advance(plan, server, generator.run(server.base_url, requests, warmup_s).requests)
                progress(f"{label}{plan.scenario.name} · {server.name}: measuring {duration_s:g}s")
                measurement = _measure_one(
                    plan,
                    role,
                    server,
                    generator=generator,
                    duration_s=duration_s,
                    start=positions.take(plan, server),
                    redis=redis,
                    database=database,
                )
                positions.advance(plan, server, measurement.result.requests)
                measurements.append(replace(measurement, round=round_index))
    return measurements


def _measure_one(
    plan: Plan,
    role: str,
    server: ServerProcess,
    *,
    generator: LoadGenerator,
    duration_s: float,
    start: int,
    redis: RedisProbe | None,
    database: ScratchDatabase | None,
) -> Measurement:
    """One measured run from position ``start`` of the stream, with Redis's and PostgreSQL's counters around it."""
    sessions = database.sessions() if database is not None else None
    lookups = redis.lookups() if redis is not None and plan.scenario.counts_cache else None
    result = generator.run(server.base_url, plan.requests.from_offset(start), duration_s)
    counts = None
    if lookups is not None and redis is not None:
        hits, misses = redis.lookups()
        cold = plan.stream.first_requests(start, result.requests) if plan.stream else None
        counts = CacheCounts(hits - lookups[0], misses - lookups[1], result.requests, cold)
    opened = None
    if database is not None and sessions is not None:
        opened = max(0, database.sessions() - sessions - 1)  # minus the first probe's own connection
    return Measurement(plan.scenario, role, result, server.rss_bytes(), cache=counts, pg_connections=opened)
