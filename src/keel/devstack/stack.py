"""The supervisor: start each step in order, watch the children, stop them in reverse order.

Every child runs in its own process group, so a Ctrl-C in the terminal reaches only the supervisor, which then stops
the API before the services it uses, and each service before the ones started earlier.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType

from rich.console import Console

from keel.devstack.errors import DevStackError, StopRequested
from keel.devstack.leftovers import ChildRecords
from keel.devstack.ports import ensure_ports_free
from keel.devstack.process import SupervisedProcess
from keel.devstack.service import ServiceDefinition, StackStep, TaskDefinition
from keel.devstack.state import StackLock, StateLayout

POLL_SECONDS = 0.1
WATCH_SECONDS = 0.25
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class StopFlag:
    """Set by SIGINT, SIGTERM or SIGHUP; the supervisor checks it between every step."""

    def __init__(self) -> None:
        self._event = threading.Event()

    @property
    def raised(self) -> bool:
        return self._event.is_set()

    def wait(self, seconds: float) -> bool:
        return self._event.wait(seconds)

    def check(self) -> None:
        if self.raised:
            raise StopRequested

    def _on_signal(self, signal_number: int, frame: FrameType | None) -> None:
        self._event.set()

    @contextmanager
    def installed(self) -> Iterator[None]:
        previous = {number: signal.signal(number, self._on_signal) for number in STOP_SIGNALS}
        try:
            yield
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)


@dataclass(frozen=True)
class Launch:
    service: ServiceDefinition
    process: SupervisedProcess
    at: float


class DevStack:
    def __init__(self, steps: Sequence[StackStep], layout: StateLayout, console: Console) -> None:
        self._steps = tuple(steps)
        self._layout = layout
        self._console = console
        self._records = ChildRecords(layout)
        self._lock = StackLock(layout)
        self._running: list[tuple[ServiceDefinition | TaskDefinition, SupervisedProcess]] = []
        self.stop_flag = StopFlag()
        self.ready_after: float | None = None

    def start(self) -> None:
        """Take the state directory, clear a crashed run's leftovers, check every port, start each step."""
        started_at = time.monotonic()
        self._layout.create()
        self._lock.acquire()
        for leftover in self._records.stop_leftovers():
            self._console.print(f"[yellow]stopped {leftover}, left running by a previous run[/]")
        ensure_ports_free(claim for step in self._steps if isinstance(step, ServiceDefinition) for claim in step.ports)
        launched: list[Launch] = []
        for step in self._steps:
            self.stop_flag.check()
            if isinstance(step, ServiceDefinition) and step.independent:
                launched.append(self._launch(step))
                continue
            self._await_ready(launched)
            launched = []
            if isinstance(step, ServiceDefinition):
                self._await_ready([self._launch(step)])
            else:
                task_started = time.monotonic()
                self._run_task(step)
                self._console.print(f"  [green]✓[/] {step.name:<11} done in {time.monotonic() - task_started:.2f} s")
        self._await_ready(launched)
        self.ready_after = time.monotonic() - started_at

    def _launch(self, service: ServiceDefinition) -> Launch:
        at = time.monotonic()
        service.prepare()
        return Launch(service, self._spawn(service), at)

    def _await_ready(self, launched: Sequence[Launch]) -> None:
        """Wait for each launched service in order, failing fast if any of them exits meanwhile."""
        for launch in launched:
            service = launch.service
            deadline = launch.at + service.ready_timeout
            while not service.probe():
                self.stop_flag.check()
                for other in launched:
                    if other.process.exit_code() is not None:
                        raise self._failure(other.process, f"{other.process.describe_exit()} while starting")
                if time.monotonic() > deadline:
                    raise self._failure(launch.process, f"was not ready within {service.ready_timeout:.0f} s")
                self.stop_flag.wait(POLL_SECONDS)
            service.after_ready()
            seconds = time.monotonic() - launch.at
            self._console.print(f"  [green]✓[/] {service.name:<11} ready in {seconds:.2f} s")

    def _spawn(self, step: StackStep) -> SupervisedProcess:
        if isinstance(step, ServiceDefinition):
            process = SupervisedProcess(
                step.name,
                step.command,
                log_path=self._layout.log_file(step.name),
                env=step.env,
                run_as=step.run_as,
                stop_signal=step.stop_signal,
                stop_timeout=step.stop_timeout,
            )
        else:
            process = SupervisedProcess(
                step.name, step.command, log_path=self._layout.log_file(step.name), env=step.env
            )
        process.start()
        self._running.append((step, process))
        stop_signal = step.stop_signal if isinstance(step, ServiceDefinition) else signal.SIGTERM
        self._records.record(step.name, process.pid, stop_signal)
        return process

    def _failure(self, process: SupervisedProcess, what: str) -> DevStackError:
        tail = process.log_tail()
        details = f"\n--- last lines of {process.log_path} ---\n{tail}" if tail else ""
        return DevStackError(f"{process.name} {what}; its output is in {process.log_path}{details}")

    def _run_task(self, task: TaskDefinition) -> None:
        process = self._spawn(task)
        deadline = time.monotonic() + task.timeout
        while process.wait(POLL_SECONDS) is None:
            self.stop_flag.check()
            if time.monotonic() > deadline:
                raise self._failure(process, f"did not finish within {task.timeout:.0f} s")
        self._running.remove((task, process))
        self._records.forget(task.name)
        process.stop()
        if process.exit_code() != 0:
            raise self._failure(process, f"failed: it {process.describe_exit()}")

    def watch(self) -> None:
        """Block until a stop signal (return) or a child's unexpected exit (raise, naming it)."""
        while not self.stop_flag.wait(WATCH_SECONDS):
            for _, process in self._running:
                if process.exit_code() is not None:
                    raise self._failure(process, f"stopped unexpectedly: it {process.describe_exit()}")

    def stop(self) -> float:
        """Stop every child in reverse start order; return the seconds it took."""
        started_at = time.monotonic()
        while self._running:
            step, process = self._running.pop()
            step_started = time.monotonic()
            graceful = process.stop()
            self._records.forget(step.name)
            how = "stopped" if graceful else "[yellow]killed (did not stop in time)[/]"
            self._console.print(f"  [dim]■[/] {step.name:<11} {how} in {time.monotonic() - step_started:.2f} s")
        self._lock.release()
        return time.monotonic() - started_at
