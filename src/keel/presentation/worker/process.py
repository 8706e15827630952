"""The worker process: start the container, relay the outbox, run the Temporal workers, stop gracefully.

``serve_worker(container, stop)`` is the whole life of a worker, usable in-process (tests run it as a task):

1. start the container's resources (logging, engine, Redis, the Temporal client), in order;
2. start the outbox relay — it runs whether or not Temporal answers, backing rows off while it does not — and the
   metrics endpoint (``KEEL_OBSERVABILITY__WORKER_METRICS_PORT``);
3. connect to Temporal, trying again with a growing pause until it answers or ``stop`` is set;
4. create or update the maintenance schedule (``container.maintenance_schedule``; a failure is logged, never fatal),
   run one Temporal worker per task queue with something registered (``container.temporal_workers``), then call
   ``ready()``;
5. on ``stop`` (SIGTERM/SIGINT in ``run_worker_process``), or if a worker fails: stop polling, let running activities
   finish within ``KEEL_TEMPORAL__WORKER_SHUTDOWN_GRACE_SECONDS`` (then they are cancelled), let the relay finish its
   pass, and close the resources in the reverse order.
"""

from __future__ import annotations

import asyncio
import inspect
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import structlog

from keel.container import Container, build_container, running
from keel.settings import Settings

logger = structlog.get_logger("keel.worker")

EXIT_OK = 0
EXIT_FAILED = 1
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
CONNECT_RETRY_FIRST_SECONDS = 0.5
CONNECT_RETRY_MAX_SECONDS = 5.0


def _nothing() -> None:
    return None


async def serve_worker(container: Container, stop: asyncio.Event, *, ready: Callable[[], None] = _nothing) -> None:
    """Run the relay and the workers until ``stop`` is set; raise if a worker fails on its own."""
    async with running(container):
        relay = await _provided(container.outbox_relay)
        relay_task = asyncio.create_task(relay.run(stop), name="outbox-relay")
        metrics = container.worker_metrics()
        metrics.start(relay.lag)
        try:
            client = await _connect(await _provided(container.temporal), stop)
            if client is not None:  # None: stopped before Temporal answered
                workers = container.temporal_workers(client=client)
                if inspect.isawaitable(workers):  # its DeliverEmail depends on the engine, an async resource
                    workers = await workers
                await container.maintenance_schedule(client=client)
                await _run_workers(workers, relay_task, stop, ready)
        finally:
            stop.set()
            await relay_task
            metrics.stop()
    logger.info("worker.stopped")


async def _run_workers(
    workers: list[Any], relay_task: asyncio.Task[None], stop: asyncio.Event, ready: Callable[[], None]
) -> None:
    if not workers:
        logger.warning(
            "worker.email_delivery_not_wired",
            detail="no DeliverEmail in the container: the email task queue is not polled",
        )
    worker_tasks = [asyncio.create_task(worker.run(), name=f"worker-{worker.task_queue}") for worker in workers]
    logger.info("worker.ready", task_queues=[worker.task_queue for worker in workers])
    ready()
    await _until_stopped_or_failed(stop, [relay_task, *worker_tasks])
    stop.set()
    logger.info("worker.stopping")
    # Stop polling; running activities get the grace period to finish, then are cancelled.
    await asyncio.gather(*(worker.shutdown() for worker in workers))
    failures = [outcome for outcome in await asyncio.gather(*worker_tasks, return_exceptions=True) if outcome]
    if failures:
        raise failures[0]


async def _provided(provider: Callable[[], Any]) -> Any:
    """A provider's value; those depending on an async resource answer with an awaitable once it runs."""
    value = provider()
    return await value if inspect.isawaitable(value) else value


async def _connect(connector: Any, stop: asyncio.Event) -> Any:
    """The connected client, or ``None`` if ``stop`` was set first."""
    pause = CONNECT_RETRY_FIRST_SECONDS
    while not stop.is_set():
        try:
            return await connector.client()
        except connector.Unavailable as error:
            logger.warning("worker.temporal_unavailable", error=str(error), retry_in_seconds=pause)
        await _wait(stop, pause)
        pause = min(pause * 2, CONNECT_RETRY_MAX_SECONDS)
    return None


async def _until_stopped_or_failed(stop: asyncio.Event, tasks: list[asyncio.Task[None]]) -> None:
    stopped = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait([stopped, *tasks], return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopped.cancel()
    for task in tasks:
        if task.done() and not stop.is_set():
            logger.error("worker.task_ended", task=task.get_name())


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    try:
        async with asyncio.timeout(seconds):
            await stop.wait()
    except TimeoutError:
        return


def run_worker_process(settings: Settings, *, ready_file: Path | None = None) -> int:
    """Run a worker until SIGTERM/SIGINT; return the exit code. ``ready_file`` exists while the worker is ready."""
    return asyncio.run(_main(build_container(settings), ready_file))


async def _main(container: Container, ready_file: Path | None) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for number in STOP_SIGNALS:
        loop.add_signal_handler(number, stop.set)

    _remove(ready_file)  # left by a run that was killed

    def mark_ready() -> None:
        if ready_file is not None:
            ready_file.parent.mkdir(parents=True, exist_ok=True)
            ready_file.touch()

    try:
        await serve_worker(container, stop, ready=mark_ready)
    except Exception:  # the process boundary: report, then exit non-zero
        logger.exception("worker.failed")
        return EXIT_FAILED
    finally:
        for number in STOP_SIGNALS:
            loop.remove_signal_handler(number)
        _remove(ready_file)
    return EXIT_OK


def _remove(path: Path | None) -> None:
    """Delete the readiness file (a metadata operation on a local file: not worth a thread)."""
    if path is not None:
        path.unlink(missing_ok=True)
