"""The maintenance settings and the schedule they describe: defaults, bounds refused by name, and the Temporal
schedule built from them (interval, workflow, task queue, overlap, paused when maintenance is off)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.client import ScheduleActionStartWorkflow, ScheduleOverlapPolicy

from keel.infrastructure.temporal.maintenance_schedule import DISABLED_NOTE, ENABLED_NOTE, maintenance_schedule
from keel.settings import MaintenanceSettings, SettingsError, load_settings


@pytest.fixture(autouse=True)
def _no_keel_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("KEEL_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_defaults() -> None:
    maintenance = load_settings().maintenance
    assert maintenance == MaintenanceSettings(
        enabled=True,
        schedule_id="keel-maintenance",
        task_queue="keel-maintenance",
        interval_minutes=60,
        user_retention_days=30,
        purge_batch_size=100,
        stale_job_minutes=60,
    )


@pytest.mark.parametrize(
    ("variable", "value", "reason"),
    [
        ("KEEL_MAINTENANCE__INTERVAL_MINUTES", "0", "Input should be greater than or equal to 1"),
        ("KEEL_MAINTENANCE__INTERVAL_MINUTES", "10081", "Input should be less than or equal to 10080"),
        ("KEEL_MAINTENANCE__USER_RETENTION_DAYS", "-1", "Input should be greater than or equal to 1"),
        ("KEEL_MAINTENANCE__USER_RETENTION_DAYS", "3651", "Input should be less than or equal to 3650"),
        ("KEEL_MAINTENANCE__PURGE_BATCH_SIZE", "0", "Input should be greater than or equal to 1"),
        ("KEEL_MAINTENANCE__PURGE_BATCH_SIZE", "1001", "Input should be less than or equal to 1000"),
        ("KEEL_MAINTENANCE__STALE_JOB_MINUTES", "9", "Input should be greater than or equal to 10"),
        ("KEEL_MAINTENANCE__SCHEDULE_ID", "keel maintenance", "String should match pattern"),
        ("KEEL_MAINTENANCE__TASK_QUEUE", "", "String should have at least 1 character"),
    ],
)
def test_values_out_of_bounds_are_refused_by_name(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, reason: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    lines = str(caught.value).splitlines()
    assert len(lines) == 2
    assert lines[1].startswith(f"  {variable}: {reason}")


def test_the_schedule_runs_maintenance_every_interval_on_its_task_queue() -> None:
    settings = MaintenanceSettings(interval_minutes=15, task_queue="upkeep")
    schedule = maintenance_schedule(settings)

    assert [interval.every for interval in schedule.spec.intervals] == [timedelta(minutes=15)]
    action = schedule.action
    assert isinstance(action, ScheduleActionStartWorkflow)
    assert (action.workflow, action.task_queue, action.execution_timeout) == (
        "Maintenance",
        "upkeep",
        timedelta(hours=1),
    )
    assert (schedule.policy.overlap, schedule.policy.catchup_window) == (
        ScheduleOverlapPolicy.SKIP,
        timedelta(minutes=15),
    )
    assert schedule.state is not None
    assert (schedule.state.paused, schedule.state.note) == (False, ENABLED_NOTE)


def test_maintenance_off_describes_a_paused_schedule() -> None:
    state = maintenance_schedule(MaintenanceSettings(enabled=False)).state
    assert state is not None
    assert (state.paused, state.note) == (True, DISABLED_NOTE)
