"""Load generators: ``wrk`` when installed, otherwise a small asyncio client (keep-alive HTTP/1.1 over raw sockets).

Both report the same :class:`LoadResult` and send the same :class:`Requests`: one path, or a list of paths read from a
file and sent in order from an offset (wrapping around), with optional headers. The asyncio client is a fallback: on
one core it saturates well below what ``wrk`` can send, so its figures are lower bounds and the table says which tool
measured them.

Run the fallback alone: ``python -m benchmarks.load --url http://127.0.0.1:8000/health/live --duration 5``
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

RESULT_MARKER = "KEEL_BENCH_RESULT "

# wrk calls done() once at the end of the run; latencies are in microseconds.
WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '%s{"requests": %d, "duration_s": %.6f, "p50_ms": %.4f, "p99_ms": %.4f, "socket_errors": %d, "bad_status": %d}\\n',
    "KEEL_BENCH_RESULT ", summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1e3, latency:percentile(99) / 1e3,
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""

# Only for a list of paths: defining request() makes every request go through Lua (and turns off wrk's pipelining),
# so single-path runs keep wrk's static request. Arguments after `--`: the paths file, then the 0-based offset.
WRK_PATHS = """
local paths = {}
local position = 0
init = function(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  position = tonumber(args[2]) % #paths
end
request = function()
  position = position % #paths + 1
  return wrk.format(nil, paths[position])
end
"""


@dataclass(frozen=True, slots=True)
class Requests:
    """What to send: ``path``, or the lines of ``paths_file`` in order from line ``offset`` (0-based, wrapping)."""

    path: str = "/"
    paths_file: Path | None = None
    offset: int = 0
    headers: tuple[tuple[str, str], ...] = ()

    def from_offset(self, offset: int) -> Requests:
        return Requests(self.path, self.paths_file, offset, self.headers)


@dataclass(frozen=True, slots=True)
class LoadResult:
    tool: str
    requests: int
    duration_s: float
    p50_ms: float
    p99_ms: float
    socket_errors: int
    bad_status: int

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.duration_s if self.duration_s > 0 else 0.0

    @property
    def errors(self) -> int:
        return self.socket_errors + self.bad_status


@dataclass(frozen=True, slots=True)
class LoadGenerator:
    """How to drive a server for a while. ``cpu`` pins the generator to one core (``taskset``) when given."""

    tool: str  # "wrk" or "python"
    connections: int
    cpu: int | None = None

    @classmethod
    def choose(cls, requested: str, connections: int, cpu: int | None) -> LoadGenerator:
        if requested == "auto":
            requested = "wrk" if shutil.which("wrk") else "python"
        if requested == "wrk" and not shutil.which("wrk"):
            raise SystemExit("wrk is not installed (Debian: apt-get install -y wrk); use --tool python")
        return cls(tool=requested, connections=connections, cpu=cpu)

    def run(self, base_url: str, requests: Requests, duration_s: float) -> LoadResult:
        seconds = max(1, math.ceil(duration_s))
        url = base_url + requests.path
        headers = [f"{name}: {value}" for name, value in requests.headers]
        if self.tool == "wrk":
            with tempfile.TemporaryDirectory(prefix="keel-bench-wrk-") as folder:
                script = Path(folder) / "requests.lua"
                script.write_text(WRK_REPORT + (WRK_PATHS if requests.paths_file else ""))
                command = ["wrk", "--threads", "1", "--connections", str(self.connections)]
                command += ["--duration", f"{seconds}s", "--timeout", "5s", "--script", str(script)]
                command += [argument for header in headers for argument in ("--header", header)]
                command.append(url)
                if requests.paths_file:
                    command += ["--", str(requests.paths_file), str(requests.offset)]
                return self._execute(command, seconds)
        command = [sys.executable, "-m", "benchmarks.load", "--url", url]
        command += ["--connections", str(self.connections), "--duration", str(seconds)]
        command += [argument for header in headers for argument in ("--header", header)]
        if requests.paths_file:
            command += ["--paths-file", str(requests.paths_file), "--offset", str(requests.offset)]
        return self._execute(command, seconds)

    def _execute(self, command: list[str], seconds: int) -> LoadResult:
        if self.cpu is not None and shutil.which("taskset"):
            command = ["taskset", "--cpu-list", str(self.cpu), *command]
        completed = subprocess.run(
            command, capture_output=True, text=True, timeout=seconds + 60, check=False, cwd=Path(__file__).parent.parent
        )
        for line in completed.stdout.splitlines():
            if line.startswith(RESULT_MARKER):
                return LoadResult(tool=self.tool, **json.loads(line.removeprefix(RESULT_MARKER)))
        raise RuntimeError(
            f"{command[0]} exited {completed.returncode} without a result:\n{completed.stdout}\n{completed.stderr}"
        )


# --- the asyncio fallback ----------------------------------------------------------------------------------------


@dataclass
class _Tally:
    latencies: list[float]
    socket_errors: int = 0
    bad_status: int = 0


async def _connection_loop(host: str, port: int, requests: Iterator[bytes], deadline: float, tally: _Tally) -> None:
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    while time.perf_counter() < deadline:
        try:
            if writer is None or reader is None:
                reader, writer = await asyncio.open_connection(host, port)
            started = time.perf_counter()
            writer.write(next(requests))
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=5)
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if length:
                await asyncio.wait_for(reader.readexactly(length), timeout=5)
            tally.latencies.append(time.perf_counter() - started)
            if not head.startswith((b"HTTP/1.1 2", b"HTTP/1.0 2")):
                tally.bad_status += 1
        except (OSError, TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            tally.socket_errors += 1
            if writer is not None:
                writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


def _percentile(ordered: list[float], fraction: float) -> float:
    if not ordered:
        return math.nan
    index = min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))
    return ordered[index]


def _request_stream(host: str, port: int, paths: list[str], offset: int, headers: list[str]) -> Iterator[bytes]:
    """The raw requests, one per path, cycling from ``offset``; shared by every connection, like wrk's one thread."""
    extra = "".join(f"{header}\r\n" for header in headers)
    encoded = [f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: */*\r\n{extra}\r\n".encode() for path in paths]
    start = offset % len(encoded)
    return itertools.cycle(encoded[start:] + encoded[:start])


async def _drive(
    url: str, *, connections: int, duration_s: float, paths: list[str] | None, offset: int, headers: list[str]
) -> dict[str, object]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    path = parts.path or "/"
    if parts.query:
        path += f"?{parts.query}"
    requests = _request_stream(host, port, paths or [path], offset, headers)
    tally = _Tally(latencies=[])
    started = time.perf_counter()
    deadline = started + duration_s
    await asyncio.gather(*(_connection_loop(host, port, requests, deadline, tally) for _ in range(connections)))
    elapsed = time.perf_counter() - started
    ordered = sorted(tally.latencies)
    return {
        "requests": len(ordered),
        "duration_s": elapsed,
        "p50_ms": _percentile(ordered, 0.50) * 1000,
        "p99_ms": _percentile(ordered, 0.99) * 1000,
        "socket_errors": tally.socket_errors,
        "bad_status": tally.bad_status,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Keep-alive HTTP/1.1 GET load for a fixed time; prints one result.")
    parser.add_argument("--url", required=True)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--header", action="append", default=[], help="'Name: value'; repeatable")
    parser.add_argument("--paths-file", type=Path, help="send these paths (one a line) in order instead of the URL's")
    parser.add_argument("--offset", type=int, default=0, help="0-based line of --paths-file to start from")
    args = parser.parse_args()
    paths = args.paths_file.read_text().split() if args.paths_file else None
    try:
        import uvloop
    except ImportError:
        runner = asyncio.run
    else:
        runner = uvloop.run
    drive = _drive(
        args.url,
        connections=args.connections,
        duration_s=args.duration,
        paths=paths,
        offset=args.offset,
        headers=args.header,
    )
    result = runner(drive)
    print(RESULT_MARKER + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
