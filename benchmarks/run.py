"""One benchmark run on a scratch database: start the servers, seed the users, check, measure, stop.

Order: keel (one process per cache mode needed) starts first; then each floor, which fetches keel's JWKS at start-up to
verify keel's tokens. The users are seeded through keel's API, the answers of keel and its floor are compared, Redis
is emptied, and only then does any load start. Whatever happens, every server is stopped and Redis emptied again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Console
from rich.markup import escape

from benchmarks.cache_figures import CompressionFigures, RedisProbe, codec_compression, compression
from benchmarks.http_overhead import LIST_PATH, Measurement, Plan, Scenario, check_answers, measure
from benchmarks.load import LoadGenerator, Requests
from benchmarks.stack import ARGON2, Pair, Stack
from benchmarks.workload import BATCH_SIZE, Tenant, ZipfStream, seed
from benchmarks.writes import WriteFigures, count_statements, hashing_seconds, time_creates

CACHE_MODES = ("redis", "off")
KEEL_CACHE_PREFIX = "keel:"  # keel's default KEEL_CACHE__KEY_PREFIX, and its separator
FLOOR_CACHE_PREFIX = "floor:"
CHECKED_USERS = 20
COMPARED_USERS = 200


@dataclass(frozen=True, slots=True)
class Options:
    scenarios: Sequence[Scenario]
    warmup_s: float
    duration_s: float
    rounds: int


@dataclass(slots=True)
class Outcome:
    measurements: list[Measurement]
    idle_rss: dict[str, int | None]
    keel_compression: CompressionFigures | None = None
    floor_compression: CompressionFigures | None = None
    codec_compression: CompressionFigures | str | None = None  # keel's codec on the seeded users, or why not
    writes: WriteFigures | None = None


def _plan(scenario: Scenario, pair: Pair, tenant: Tenant | None, stream: ZipfStream | None) -> Plan:
    if not scenario.users:
        return Plan(scenario, pair.roles, Requests(path=scenario.path))
    assert tenant is not None
    if scenario.zipf:
        assert stream is not None
        return Plan(scenario, pair.roles, Requests(paths_file=stream.paths_file, headers=tenant.headers), stream)
    return Plan(scenario, pair.roles, Requests(path=LIST_PATH, headers=tenant.headers))


def _compression(
    probe: RedisProbe, keel: Pair, tenant: Tenant
) -> tuple[CompressionFigures | None, CompressionFigures | None]:
    """Cached users' stored sizes against their JSON as keel sends it (the floor's JSON is the same, checked)."""
    ids = frozenset(tenant.user_ids)
    keel_sizes = probe.cached_user_sizes(KEEL_CACHE_PREFIX, ids)
    floor_sizes = probe.cached_user_sizes(FLOOR_CACHE_PREFIX, ids)
    compared = list(dict.fromkeys([*keel_sizes, *floor_sizes]))[:COMPARED_USERS]
    lengths: dict[str, int] = {}
    for user_id in compared:
        status, body = keel.keel.get(f"/api/v1/users/{user_id}", dict(tenant.headers))
        if status == 200:
            lengths[user_id] = len(body)
    return compression(keel_sizes, lengths), compression(floor_sizes, lengths)


def run(
    stack: Stack,
    options: Options,
    generator: LoadGenerator,
    probe: RedisProbe,
    console: Console,
) -> Outcome:
    def progress(line: str) -> None:
        console.print(f"  {escape(line)}", style="dim")

    load_scenarios = [s for s in options.scenarios if s.load]
    writes_wanted = any(not s.load for s in options.scenarios)
    with_users = any(s.users for s in options.scenarios)
    needed = {s.cache for s in load_scenarios} | ({"redis"} if writes_wanted else set())
    probe.empty()
    if with_users:
        progress("applying the migrations to the scratch database")
        stack.migrate()
    pairs = {mode: stack.pair(mode) for mode in CACHE_MODES if mode in needed}
    servers = [pair.keel for pair in pairs.values()] + [pair.floor for pair in pairs.values()]
    try:
        for group in ([pair.keel for pair in pairs.values()], [pair.floor for pair in pairs.values()]):
            for server in group:
                server.start()
            for server in group:
                server.wait_until_serving("/health/live")
        idle = {server.name: server.rss_bytes() for server in servers}
        tenant = stream = None
        if with_users:
            progress("seeding: a tenant, its owner's token, 10,000 users in batches of 100 through keel's API; ANALYZE")
            tenant = seed(next(iter(pairs.values())).keel.base_url)
            stack.analyze()
            stream = ZipfStream.write(stack.scratch, tenant.user_ids)
            progress(
                f"seeded {len(tenant.user_ids):,} users in {tenant.seconds:.1f}s; Zipf stream of "
                f"{len(stream.ids):,} requests over {stream.distinct:,} distinct users"
            )
        plans = [_plan(s, pairs[s.cache], tenant, stream) for s in load_scenarios]
        check_answers(plans, stream.sample(CHECKED_USERS) if stream else [])
        probe.empty()
        measurements = measure(
            plans,
            generator,
            warmup_s=options.warmup_s,
            duration_s=options.duration_s,
            rounds=options.rounds,
            progress=progress,
            redis=probe,
            database=stack.database,
        )
        outcome = Outcome(measurements, idle)
        if tenant is not None and any(plan.scenario.counts_cache for plan in plans):
            outcome.keel_compression, outcome.floor_compression = _compression(probe, pairs["redis"], tenant)
            outcome.codec_compression = codec_compression(stack.database.asyncpg_dsn)
        if writes_wanted and tenant is not None:
            keel = pairs["redis"].keel
            singles, batches = time_creates(
                keel.base_url, dict(tenant.headers), repeats=max(3, options.rounds), progress=progress
            )
            progress("batch-vs-single · counting the statements of one batch and one single create, in-process")
            statements = count_statements(stack.keel_environment("redis"), stack.scratch, tenant.token)
            outcome.writes = WriteFigures(BATCH_SIZE, singles, batches, statements, hashing_seconds(ARGON2))
        _show_logs_of_failures(console, plans, measurements)
        return outcome
    finally:
        for server in servers:
            server.stop()
        probe.empty()


def _show_logs_of_failures(console: Console, plans: Sequence[Plan], measurements: Sequence[Measurement]) -> None:
    """The end of the log of each server that answered a measurement with errors, once per server."""
    shown: set[str] = set()
    for plan in plans:
        for role, server in plan.servers:
            failed = any(m.result.errors for m in measurements if m.scenario == plan.scenario and m.server == role)
            if failed and server.name not in shown:
                shown.add(server.name)
                console.print(f"[red]{escape(server.name)} had errors; the end of its log:[/red]")
                console.print(escape(server.log_tail()), style="dim")
