"""The real clock answers in aware UTC, as the ``Clock`` port promises."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from keel.application.ports import SystemClock


def test_the_system_clock_is_aware_utc_and_current() -> None:
    now = SystemClock().now()
    assert now.tzinfo is UTC
    assert abs(now - datetime.now(UTC)) < timedelta(seconds=5)
