"""Batch against single creates: 100 users in one ``POST /api/v1/users/batch`` against 100 ``POST /api/v1/users``.

Timed over HTTP against the running keel, one client, one request at a time on one keep-alive connection, so each
figure is the wall-clock time a client waits for 100 users to exist. Both sides hash 100 passwords (with the cheap
argon2 parameters the benchmark server runs with, timed here too so that the speed-up can be read without it); what
differs is the number of requests, transactions and statements. Each repeat times both, the single creates first; the
median repeat is reported.

The statements of one batch and of one single create are counted in-process by ``benchmarks.statements``.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from argon2 import PasswordHasher, Type

from benchmarks.load import RESULT_MARKER
from benchmarks.workload import BATCH_SIZE, PASSWORD, new_user

TIMEOUT_SECONDS = 120


@dataclass(frozen=True, slots=True)
class WriteFigures:
    size: int
    singles_s: tuple[float, ...]  # one figure per repeat: 100 sequential single creates
    batch_s: tuple[float, ...]  # one batch of 100
    statements: Mapping[str, Mapping[str, int]] | None  # {"batch": {...}, "single": {...}} by statement kind
    hashing_s: float | None = None  # 100 argon2 hashes with the server's parameters, on the load generator's core

    @property
    def singles_median_s(self) -> float:
        return statistics.median(self.singles_s)

    @property
    def batch_median_s(self) -> float:
        return statistics.median(self.batch_s)

    @property
    def speedup(self) -> float:
        return self.singles_median_s / self.batch_median_s

    @property
    def speedup_without_hashing(self) -> float | None:
        """The speed-up once both sides' hashing is taken away: what batching itself saves."""
        if self.hashing_s is None or self.batch_median_s <= self.hashing_s:
            return None
        return (self.singles_median_s - self.hashing_s) / (self.batch_median_s - self.hashing_s)

    def statements_of(self, kind: str) -> int | None:
        """Round trips to PostgreSQL of one ``kind`` of create: statements plus BEGIN/COMMIT/ROLLBACK."""
        return None if self.statements is None else sum(self.statements[kind].values())


def time_creates(
    base_url: str, headers: Mapping[str, str], *, repeats: int, progress: Callable[[str], None]
) -> tuple[tuple[float, ...], tuple[float, ...]]:
    rng = random.Random(2)
    singles: list[float] = []
    batches: list[float] = []
    with httpx.Client(base_url=base_url, headers=dict(headers), timeout=TIMEOUT_SECONDS) as client:
        _post(client, "/api/v1/users", new_user(0, rng, tag="ww"))  # opens the connection; not timed
        for repeat in range(repeats):
            progress(f"batch-vs-single · keel: repeat {repeat + 1}/{repeats}")
            started = time.perf_counter()
            for index in range(BATCH_SIZE):
                _post(client, "/api/v1/users", new_user(index, rng, tag=f"ws{repeat}x"))
            singles.append(time.perf_counter() - started)
            users = [new_user(index, rng, tag=f"wb{repeat}x") for index in range(BATCH_SIZE)]
            started = time.perf_counter()
            result = _post(client, "/api/v1/users/batch", {"users": users})
            batches.append(time.perf_counter() - started)
            if result["errors"] or len(result["created"]) != BATCH_SIZE:
                raise RuntimeError(f"the timed batch was refused in part: {result['errors'][:3]}")
    return tuple(singles), tuple(batches)


def hashing_seconds(parameters: Mapping[str, str], count: int = BATCH_SIZE, repeats: int = 3) -> float:
    """``count`` argon2id hashes with the benchmark server's parameters, here, one after the other: the best of
    ``repeats`` tries (the least disturbed by other work on the core)."""
    hasher = PasswordHasher(
        time_cost=int(parameters["KEEL_SECURITY__ARGON2_TIME_COST"]),
        memory_cost=int(parameters["KEEL_SECURITY__ARGON2_MEMORY_COST_KIB"]),
        parallelism=int(parameters["KEEL_SECURITY__ARGON2_PARALLELISM"]),
        type=Type.ID,
    )
    tries: list[float] = []
    for _ in range(repeats):
        started = time.perf_counter()
        for index in range(count):
            hasher.hash(f"{PASSWORD}{index}")
        tries.append(time.perf_counter() - started)
    return min(tries)


def _post(client: httpx.Client, path: str, body: object) -> Any:
    response = client.post(path, json=body)
    if response.status_code not in {200, 201}:
        raise RuntimeError(f"POST {path} answered {response.status_code}: {response.text[:300]}")
    return response.json()


def _with_repository(python_path: str | None) -> str:
    """``benchmarks`` importable from any working directory, ahead of whatever the path already held."""
    return os.pathsep.join([str(Path(__file__).resolve().parent.parent), *([python_path] if python_path else [])])


def count_statements(env: Mapping[str, str], cwd: Path, token: str) -> dict[str, dict[str, int]]:
    """Run ``benchmarks.statements`` with keel's environment; its counts, or RuntimeError with its output."""
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.statements"],
        env={**env, "KEEL_BENCH_TOKEN": token, "PYTHONPATH": _with_repository(env.get("PYTHONPATH"))},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    for line in completed.stdout.splitlines():
        if line.startswith(RESULT_MARKER):
            counts: dict[str, dict[str, int]] = json.loads(line.removeprefix(RESULT_MARKER))
            return counts
    output = f"{completed.stdout[-2000:]}\n{completed.stderr[-2000:]}"
    raise RuntimeError(f"counting statements failed (exit {completed.returncode}):\n{output}")
