"""What `keel dev` starts, in which order: the services, then migrations, the worker and the API."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from keel.devstack.plan import plan_stack
from keel.devstack.run import stack_steps
from keel.devstack.service import ServiceDefinition
from keel.devstack.state import StateLayout
from keel.settings import Settings


@pytest.fixture(autouse=True)
def _no_keel_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("KEEL_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_the_worker_starts_after_the_migrations_and_before_the_api(tmp_path: Path) -> None:
    settings = Settings()
    steps = stack_steps(plan_stack(settings), settings.dev, StateLayout(tmp_path), with_api=True)

    assert [step.name for step in steps] == ["postgres", "redis", "temporal", "smtp", "migrations", "worker", "api"]
    worker = steps[-2]
    assert isinstance(worker, ServiceDefinition)
    assert worker.command[:4] == (sys.executable, "-m", "keel", "worker")
    assert worker.env is not None
    assert worker.env["KEEL_TEMPORAL__ADDRESS"] == "127.0.0.1:7233"
    assert worker.env["KEEL_DATABASE__URL"] == "postgresql+asyncpg://postgres@127.0.0.1:54329/keel"


def test_the_worker_is_ready_once_its_ready_file_exists_and_a_stale_one_is_cleared(tmp_path: Path) -> None:
    settings = Settings()
    layout = StateLayout(tmp_path)
    [worker] = [
        step for step in stack_steps(plan_stack(settings), settings.dev, layout, with_api=True) if step.name == "worker"
    ]
    assert isinstance(worker, ServiceDefinition)
    ready_file = Path(worker.command[worker.command.index("--ready-file") + 1])
    layout.run.mkdir(parents=True)

    assert not worker.probe()
    ready_file.touch()
    assert worker.probe()
    worker.prepare()  # before a start: a file left by a killed worker must not count
    assert not worker.probe()


def test_without_the_api_no_keel_process_is_started(tmp_path: Path) -> None:
    settings = Settings()
    steps = stack_steps(plan_stack(settings), settings.dev, StateLayout(tmp_path), with_api=False)

    assert [step.name for step in steps] == ["postgres", "redis", "temporal", "smtp"]
