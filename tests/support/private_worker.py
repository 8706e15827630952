"""``keel worker`` as a real process, for the tests that watch it work, stop it, or kill it (SIGKILL) and start it
again: its environment (built from a test's ``Settings``, so it shares the app's database, file storage, Temporal and
SMTP server), its JSON log read back as events, its metrics endpoint scraped.

```python
env = environment_of(settings, metrics_port=free_port())
with keel_worker(env, tmp_path) as worker:
    await worker.ready()
    figures = scrape(worker_metrics_port(env))
    worker.kill()                                  # SIGKILL: no shutdown, nothing flushed
with keel_worker(env, tmp_path, name="again") as again:   # the same worker, started again
    ...
```
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from keel.settings import Settings
from support.waiting import wait_until

DEADLINE_SECONDS = 30.0
READY_SECONDS = 120.0
"""The bound on a worker's start: building its Temporal workers checks the workflows in the sandbox, which takes
seconds of CPU — many on a machine busy with other tests."""
METRICS_PORT = "KEEL_OBSERVABILITY__WORKER_METRICS_PORT"

type Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def worker_environment(database_url: str, temporal_address: str, **variables: str) -> dict[str, str]:
    """This process's environment without its ``KEEL_`` variables, plus a worker's on ``database_url`` and Temporal
    at ``temporal_address`` (JSON logs, cache off, no metrics port), plus ``variables`` (``KEEL_…`` names)."""
    return {
        **{name: value for name, value in os.environ.items() if not name.startswith("KEEL_")},
        "KEEL_ENVIRONMENT": "test",
        "KEEL_DATABASE__URL": database_url,
        "KEEL_CACHE__MODE": "off",
        "KEEL_TEMPORAL__ADDRESS": temporal_address,
        "KEEL_OBSERVABILITY__LOG_FORMAT": "json",
        "KEEL_OBSERVABILITY__LOG_LEVEL": "INFO",
        METRICS_PORT: "0",
        **variables,
    }


def environment_of(settings: Settings, *, metrics_port: int = 0, **variables: str) -> dict[str, str]:
    """The environment of a worker serving the app of ``settings``: the same database, Temporal and task queues,
    relay pace, SMTP server and job files; its metrics on ``metrics_port`` (0: none); then ``variables``."""
    temporal, email, jobs = settings.temporal, settings.email, settings.jobs
    return worker_environment(
        settings.database.url,
        temporal.address,
        KEEL_TEMPORAL__TASK_QUEUE=temporal.task_queue,
        KEEL_TEMPORAL__EMAIL_TASK_QUEUE=temporal.email_task_queue,
        KEEL_TEMPORAL__CONNECT_TIMEOUT_SECONDS=str(temporal.connect_timeout_seconds),
        KEEL_TEMPORAL__OUTBOX_POLL_INTERVAL_SECONDS=str(temporal.outbox_poll_interval_seconds),
        KEEL_TEMPORAL__OUTBOX_BACKOFF_INITIAL_SECONDS=str(temporal.outbox_backoff_initial_seconds),
        KEEL_TEMPORAL__OUTBOX_BACKOFF_MAX_SECONDS=str(temporal.outbox_backoff_max_seconds),
        KEEL_TEMPORAL__WORKER_SHUTDOWN_GRACE_SECONDS=str(temporal.worker_shutdown_grace_seconds),
        KEEL_EMAIL__SMTP_HOST=email.smtp_host,
        KEEL_EMAIL__SMTP_PORT=str(email.smtp_port),
        KEEL_EMAIL__PUBLIC_BASE_URL=email.public_base_url,
        KEEL_EMAIL__TIMEOUT_SECONDS=str(email.timeout_seconds),
        KEEL_JOBS__STORAGE_DIR=str(jobs.storage_dir),
        KEEL_JOBS__IMPORT_CHUNK_SIZE=str(jobs.import_chunk_size),
        **{METRICS_PORT: str(metrics_port)},
        **variables,
    )


class WorkerRun:
    """One run of ``keel worker``: its process, its log (one JSON object a line) and its readiness file."""

    def __init__(self, process: subprocess.Popen[bytes], log: Path, ready_file: Path) -> None:
        self.process, self.log, self.ready_file = process, log, ready_file

    def records(self) -> list[dict[str, Any]]:
        lines = self.log.read_text(errors="replace").splitlines()
        return [json.loads(line) for line in lines if line.startswith("{")]

    def events(self) -> list[str]:
        return [record["event"] for record in self.records()]

    def _check(self, condition: Callable[[], bool], what: str, deadline: float) -> bool:
        if condition():
            return True
        assert self.process.poll() is None, f"keel worker exited:\n{self.log.read_text()}"
        assert time.monotonic() < deadline, f"keel worker: {what} did not happen:\n{self.log.read_text()}"
        return False

    def wait_for(self, condition: Callable[[], bool], what: str, *, within: float = DEADLINE_SECONDS) -> None:
        """Block until ``condition()``; fail if the worker exits first or ``within`` seconds pass."""
        deadline = time.monotonic() + within
        while not self._check(condition, what, deadline):
            time.sleep(0.05)

    async def until(self, condition: Callable[[], bool], what: str, *, within: float = DEADLINE_SECONDS) -> None:
        """``wait_for`` for a test's event loop (which keeps serving the app and the SMTP server meanwhile)."""
        deadline = time.monotonic() + within

        async def check() -> bool:
            return self._check(condition, what, deadline)

        await wait_until(check, within=within + 1, what=what)

    async def ready(self) -> None:
        """Wait until the worker says it is ready (its Temporal workers polling)."""
        await self.until(self.ready_file.exists, "the worker's readiness", within=READY_SECONDS)

    def stop(self) -> int:
        """SIGTERM, then the exit code."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=DEADLINE_SECONDS)

    def kill(self) -> int:
        """SIGKILL — no shutdown, no activity finished or reported — then the exit code (``-SIGKILL``)."""
        self.process.kill()
        return self.process.wait(timeout=DEADLINE_SECONDS)


@contextmanager
def keel_worker(env: dict[str, str], workdir: Path, *, name: str = "worker") -> Iterator[WorkerRun]:
    """``keel worker`` running in ``workdir`` (log ``<name>.log``, ready file ``<name>.ready``); killed at the end of
    the block if still running."""
    ready_file, log = workdir / f"{name}.ready", workdir / f"{name}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "keel", "worker", "--ready-file", str(ready_file)],
            env=env,
            cwd=workdir,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        yield WorkerRun(process, log, ready_file)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def worker_metrics_port(env: dict[str, str]) -> int:
    return int(env[METRICS_PORT])


def scrape(port: int) -> Samples:
    """Every sample the metrics endpoint on ``port`` serves, by name and labels."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        text = response.read().decode()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
