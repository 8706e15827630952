"""``python -m benchmarks`` (``make bench``): keel's HTTP overhead against a raw ASGI floor, on real services.

Starts ``python -m keel serve`` (one process) and the floor app (``benchmarks.floor_app``) on free ports against a
scratch database on the configured PostgreSQL and the configured Redis, pins the servers to one core and the load
generator to another, and prints req/s, p50, p99, the keel/floor ratio and each server's memory after its runs.

Environment: ``KEEL_BENCH_DATABASE_URL`` (a database on the server to use; default the local ``postgres`` one) and
``KEEL_BENCH_REDIS_URL`` (default ``redis://127.0.0.1:6379/0``). Figures are printed, never asserted.
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

from rich.console import Console
from rich.markup import escape

from benchmarks.http_overhead import SCENARIOS, check_answers, measure, summarize
from benchmarks.load import LoadGenerator
from benchmarks.report import FLOOR, render, write_json
from benchmarks.scratch_db import ScratchDatabase, scratch_database
from benchmarks.servers import ServerProcess, free_port, pinned

DEFAULT_DATABASE_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
REPO_ROOT = Path(__file__).resolve().parent.parent
BUSY_LOAD = 0.5  # 1-minute load average above which the machine is not idle enough for stable figures
KEEL_SERVE = ("-m", "keel", "serve")
VERSIONS_OF = ("fastapi", "starlette", "uvicorn", "uvloop", "httptools", "sqlalchemy", "asyncpg", "redis")


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds measured per scenario and server")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of unmeasured load before each measure")
    parser.add_argument("--rounds", type=int, default=1, help="repeat everything; the table shows the median round")
    parser.add_argument("--connections", type=int, default=64, help="concurrent keep-alive connections")
    parser.add_argument("--tool", choices=("auto", "wrk", "python"), default="auto", help="load generator")
    parser.add_argument("--scenario", action="append", choices=[s.name for s in SCENARIOS], help="repeatable")
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


def _servers(
    database: ScratchDatabase, redis_url: str, scratch: Path, cpu: int | None, log_level: str
) -> tuple[ServerProcess, ServerProcess]:
    """keel and the floor on free ports, against the same database and Redis, pinned to the same core."""
    # The servers inherit no KEEL_* variable from this shell, and keel runs outside the repository so that no .env
    # applies: what is measured is the defaults plus the variables below.
    base_env = {key: value for key, value in os.environ.items() if not key.startswith("KEEL_")}
    keel_port, floor_port = free_port(), free_port()
    keel = ServerProcess(
        name="keel",
        command=pinned([sys.executable, *KEEL_SERVE, "--port", str(keel_port)], cpu),
        port=keel_port,
        log_path=scratch / "keel.log",
        env={
            **base_env,
            "KEEL_DATABASE__URL": database.sqlalchemy_url,
            "KEEL_CACHE__URL": redis_url,
            "KEEL_API__HOST": "127.0.0.1",
            "KEEL_API__PORT": str(keel_port),
            "KEEL_OBSERVABILITY__LOG_LEVEL": log_level,
        },
        cwd=scratch,
    )
    floor_command = [sys.executable, "-m", "benchmarks.floor_app", "--port", str(floor_port)]
    floor_command += ["--database-url", database.asyncpg_dsn, "--redis-url", redis_url]
    floor = ServerProcess(
        name=FLOOR,
        command=pinned(floor_command, cpu),
        port=floor_port,
        log_path=scratch / "floor.log",
        env=base_env,
        cwd=REPO_ROOT,
    )
    return keel, floor


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


def main() -> int:
    args = _parse_args()
    # The servers run in their own sessions, so a terminal hang-up or a kill reaches only this process: turn both into
    # KeyboardInterrupt, and the finally blocks stop the servers and drop the scratch database.
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupt)
    console = Console(width=None if sys.stdout.isatty() else 120)  # a log or a pipe gets the whole table
    scenarios = [s for s in SCENARIOS if not args.scenario or s.name in args.scenario]
    server_cpu, load_cpu = _cpus()
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
        "pinning": f"servers on core {server_cpu}, load on core {load_cpu}"
        if server_cpu is not None
        else "not pinned (fewer than two cores)",
        "cpu": _cpu_model(),
        "python": platform.python_version(),
        "versions": _versions(),
        "load_average_1m": round(load, 2),
    }
    _print_context(console, context, load)

    try:
        with (
            scratch_database(database_url) as database,
            tempfile.TemporaryDirectory(prefix="keel-bench-") as scratch,
        ):
            console.print(f"[bold]database:[/bold] scratch database {database.name} (dropped at the end)")
            servers = _servers(database, redis_url, Path(scratch), server_cpu, args.log_level)
            try:
                for server in servers:
                    server.start()
                for server in servers:
                    server.wait_until_serving("/health/live")
                check_answers(servers, scenarios)
                idle = {server.name: server.rss_bytes() for server in servers}
                measurements = measure(
                    servers,
                    scenarios,
                    generator,
                    warmup_s=args.warmup,
                    duration_s=args.duration,
                    rounds=args.rounds,
                    progress=lambda line: console.print(f"  {line}", style="dim"),
                )
                for server in servers:
                    if any(m.result.errors for m in measurements if m.server == server.name):
                        console.print(f"[red]{server.name} had errors; the end of its log:[/red]")
                        console.print(escape(server.log_tail()), style="dim")
            finally:
                for server in servers:
                    server.stop()
    except (RuntimeError, OSError) as error:
        console.print(f"[red]benchmark aborted:[/red] {escape(str(error))}")
        return 1

    idle_text = ", ".join(f"{name} {(rss or 0) / 2**20:.0f} MiB" for name, rss in idle.items())
    rounds = f"median of {args.rounds} rounds" if args.rounds > 1 else "one round"
    render(
        console,
        summarize(measurements, baseline=FLOOR),
        caption=f"Measured with {generator.tool}, {rounds}. RSS before load: {idle_text}. "
        "keel/floor: keel's req/s over the floor's on the same route in the same round (median over rounds); "
        "1.00 would mean keel's layers cost nothing.",
    )
    if args.json:
        write_json(args.json, measurements, {**context, "idle_rss_bytes": idle})
        console.print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # the servers are already stopped and the scratch database dropped
        print("benchmark interrupted", file=sys.stderr)
        sys.exit(130)
