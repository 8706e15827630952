"""Readiness: every check runs at once; a required failure makes the service not ready, an optional one warns."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from keel.application.health import CheckHealth


@dataclass
class FakeCheck:
    name: str
    required: bool = True
    fails_with: Exception | None = None
    delay: float = 0.0

    async def probe(self) -> None:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fails_with is not None:
            raise self.fails_with


async def test_all_passing_is_ready() -> None:
    report = await CheckHealth([FakeCheck("postgres"), FakeCheck("redis", required=False)], timeout_seconds=1)()
    assert report.ready
    assert report.status == "pass"
    assert [c.name for c in report.checks] == ["postgres", "redis"]
    assert all(c.healthy and c.latency_ms >= 0 for c in report.checks)


async def test_a_failing_required_check_is_not_ready_and_names_the_error_class_only() -> None:
    failing = FakeCheck("postgres", fails_with=ConnectionRefusedError("10.0.0.5:5432 password=x"))
    report = await CheckHealth([failing], timeout_seconds=1)()
    assert not report.ready
    assert report.status == "fail"
    assert report.checks[0].error == "ConnectionRefusedError"


async def test_a_failing_optional_check_degrades_but_stays_ready() -> None:
    report = await CheckHealth(
        [FakeCheck("postgres"), FakeCheck("redis", required=False, fails_with=OSError())], timeout_seconds=1
    )()
    assert report.ready
    assert report.status == "warn"


async def test_a_hanging_check_times_out_without_holding_the_others() -> None:
    report = await CheckHealth([FakeCheck("slow", delay=10), FakeCheck("fast")], timeout_seconds=0.05)()
    slow, fast = report.checks
    assert not slow.healthy
    assert slow.error == "no answer within 0.05s"
    assert fast.healthy
    assert not report.ready
