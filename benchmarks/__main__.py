"""``python -m benchmarks`` (``make bench``): keel against a raw ASGI floor, route by route, on real services.

Starts ``python -m keel serve`` (one process per cache mode needed) and the floor app (``benchmarks.floor_app``) on
free ports against a scratch database on the configured PostgreSQL and a Redis database of its own, pins the servers
to one core and the load generator (and this process) to another, and prints req/s, p50, p99, the keel/floor ratio and
each server's memory; for the users scenarios also the cache hit ratio, the size of cached users, the batch-create
speed-up and the statements per batch, each against its target.

Environment: ``KEEL_BENCH_DATABASE_URL`` (a database on the server to use; default the local ``postgres`` one) and
``KEEL_BENCH_REDIS_URL`` (default ``redis://127.0.0.1:6379/15``; that database is emptied at the start and the end).
Figures are printed, never asserted: the exit status is 0 even when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import sys
import tempfile
from importlib import metadata
from pathlib import Path
from types import FrameType

import httpx
from redis.exceptions import RedisError
from rich.console import Console
from rich.markup import escape

from benchmarks.cache_figures import RedisProbe
from benchmarks.http_overhead import FLOOR, SCENARIOS, Scenario, summarize
from benchmarks.load import LoadGenerator
from benchmarks.report import render, render_targets, write_json
from benchmarks.run import Options, run
from benchmarks.scratch_db import scratch_database
from benchmarks.stack import ARGON2_TEXT, FLOOR_CACHE_CODEC, Stack
from benchmarks.targets import evaluate
from benchmarks.workload import STREAM_LENGTH, USERS, ZIPF_EXPONENT

DEFAULT_DATABASE_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
BUSY_LOAD = 0.5  # 1-minute load average above which the machine is not idle enough for stable figures
VERSIONS_OF = ("fastapi", "starlette", "uvicorn", "uvloop", "httptools", "sqlalchemy", "asyncpg", "redis", "pyjwt")


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds measured per scenario and server")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of unmeasured load before each measure")
    parser.add_argument("--rounds", type=int, default=1, help="repeat everything; the table shows the median round")
    parser.add_argument("--connections", type=int, default=64, help="concurrent keep-alive connections")
    parser.add_argument("--tool", choices=("auto", "wrk", "python"), default="auto", help="load generator")
    parser.add_argument(
        "--scenario", action="append", choices=[s.name for s in SCENARIOS], help="repeatable; default all"
    )
    parser.add_argument("--log-level", default="WARNING", help="KEEL_OBSERVABILITY__LOG_LEVEL of the keel server")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    if args.duration < 1 or args.warmup < 0 or args.rounds < 1 or args.connections < 1:
        parser.error("--duration must be at least 1, --warmup at least 0, --rounds and --connections at least 1")
    return args


def _cpus() -> tuple[int | None, int | None]:
    """(server core, load generator core), or no pinning when fewer than two cores are available."""
    available = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if len(available) < 2:
        return None, None
    return available[0], available[1]


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _versions() -> dict[str, str]:
    found: dict[str, str] = {}
    for name in VERSIONS_OF:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _print_context(console: Console, context: dict[str, object], load: float) -> None:
    console.print(
        f"[bold]load:[/bold] {context['tool']}, {context['connections']} connections, "
        f"{context['warmup_s']:g}s warm-up + {context['duration_s']:g}s per run · {context['pinning']}"
    )
    console.print(f"[bold]machine:[/bold] {context['cpu']}, {os.cpu_count()} cores, Python {context['python']}")
    if load > BUSY_LOAD:
        console.print(
            f"[yellow]the machine is busy (load average {load:.2f}): other processes share the cores, "
            "so figures will be noisy; prefer --rounds 3 or an idle machine[/yellow]"
        )


def _pin_to(cpu: int | None) -> None:
    """This process (seeding, timed creates, in-process counts) stays off the servers' core too."""
    if cpu is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {cpu})


def _caption(tool: str, rounds: int, idle: dict[str, int | None], scenarios: list[Scenario]) -> str:
    idle_text = ", ".join(f"{name} {(rss or 0) / 2**20:.0f} MiB" for name, rss in idle.items())
    rounds_text = f"median of {rounds} rounds" if rounds > 1 else "one round"
    caption = (
        f"Measured with {tool}, {rounds_text}. RSS before load: {idle_text}. keel/floor: keel's req/s over the "
        "floor's on the same route in the same round (median over rounds); 1.00 would mean keel's layers cost nothing."
    )
    if any(s.users and s.load for s in scenarios):
        caption += (
            f" Users routes: {USERS:,} users seeded through the API, one bearer token (ES256, verified by both "
            "servers); PG conns opened: new PostgreSQL connections during the measured run."
        )
    if any(s.zipf for s in scenarios):
        caption += f" GET by id in a Zipf(s={ZIPF_EXPONENT}) order, each server continuing its own stream."
    if any(s.counts_cache for s in scenarios):
        caption += (
            f" Cache on: keel with KEEL_CACHE__MODE=redis, the floor with Redis + {FLOOR_CACHE_CODEC}, both emptied "
            "before the first warm-up; cache hits: 1 - Redis misses / requests during the measured run, warm: "
            "leaving out the requests that were the first for their id."
        )
    return caption


def main() -> int:
    args = _parse_args()
    # The servers run in their own sessions, so a terminal hang-up or a kill reaches only this process: turn both into
    # KeyboardInterrupt, and the finally blocks stop the servers and drop the scratch database.
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupt)
    console = Console(width=None if sys.stdout.isatty() else 160)  # a log or a pipe gets the whole table
    scenarios = [s for s in SCENARIOS if not args.scenario or s.name in args.scenario]
    with_users = any(s.users for s in scenarios)
    server_cpu, load_cpu = _cpus()
    _pin_to(load_cpu)
    generator = LoadGenerator.choose(args.tool, args.connections, load_cpu)
    database_url = os.environ.get("KEEL_BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    redis_url = os.environ.get("KEEL_BENCH_REDIS_URL", DEFAULT_REDIS_URL)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    context: dict[str, object] = {
        "tool": generator.tool,
        "connections": args.connections,
        "duration_s": args.duration,
        "warmup_s": args.warmup,
        "rounds": args.rounds,
        "scenarios": [s.name for s in scenarios],
        "pinning": f"servers on core {server_cpu}, load generator and harness on core {load_cpu}"
        if server_cpu is not None
        else "not pinned (fewer than two cores)",
        "cpu": _cpu_model(),
        "python": platform.python_version(),
        "versions": _versions(),
        "load_average_1m": round(load, 2),
        "keel_password_hashing": ARGON2_TEXT if with_users else None,
        "zipf": {"users": USERS, "exponent": ZIPF_EXPONENT, "stream_length": STREAM_LENGTH} if with_users else None,
    }
    _print_context(console, context, load)

    options = Options(scenarios, warmup_s=args.warmup, duration_s=args.duration, rounds=args.rounds)
    probe = RedisProbe(redis_url)
    try:
        with (
            scratch_database(database_url) as database,
            tempfile.TemporaryDirectory(prefix="keel-bench-") as scratch,
        ):
            console.print(f"[bold]database:[/bold] scratch database {database.name} (dropped at the end)")
            stack = Stack(database, redis_url, Path(scratch), server_cpu, args.log_level)
            outcome = run(stack, options, generator, probe, console)
    except (RuntimeError, OSError, RedisError, httpx.HTTPError) as error:
        console.print(f"[red]benchmark aborted:[/red] {escape(str(error))}")
        return 1
    finally:
        probe.close()

    summaries = summarize(outcome.measurements, baseline=FLOOR)
    if summaries:
        render(console, summaries, caption=_caption(generator.tool, args.rounds, outcome.idle_rss, scenarios))
    targets = evaluate(
        summaries,
        keel_compression=outcome.keel_compression,
        floor_compression=outcome.floor_compression,
        codec_compression=outcome.codec_compression,
        writes=outcome.writes,
    )
    if with_users:
        render_targets(
            console,
            targets,
            caption=f"keel ran with {ARGON2_TEXT}. ✓ met, ✗ missed, — no target or not measured. "
            "Figures only: the exit status is 0 whatever they are.",
        )
    if args.json:
        context["idle_rss_bytes"] = outcome.idle_rss
        write_json(
            args.json, outcome.measurements, context, targets=targets if with_users else (), writes=outcome.writes
        )
        console.print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # the servers are already stopped and the scratch database dropped
        print("benchmark interrupted", file=sys.stderr)
        sys.exit(130)
