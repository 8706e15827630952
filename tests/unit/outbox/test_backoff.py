"""The relay's backoff: the wait after each failed attempt doubles from the initial delay and stops at the cap."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from keel.infrastructure.outbox import Backoff


def test_the_delay_doubles_from_the_initial_one_up_to_the_cap() -> None:
    backoff = Backoff.of_seconds(1, 60)
    assert [backoff.delay(failures).total_seconds() for failures in range(1, 10)] == [1, 2, 4, 8, 16, 32, 60, 60, 60]


@given(failures=st.integers(min_value=1, max_value=10**9))
def test_the_delay_never_exceeds_the_cap_however_many_failures(failures: int) -> None:
    backoff = Backoff.of_seconds(0.5, 300)
    assert timedelta(seconds=0.5) <= backoff.delay(failures) <= timedelta(seconds=300)


@given(failures=st.integers(min_value=1, max_value=10_000))
def test_the_delay_never_shrinks_as_failures_grow(failures: int) -> None:
    backoff = Backoff.of_seconds(2, 3600)
    assert backoff.delay(failures + 1) >= backoff.delay(failures)


@pytest.mark.parametrize(
    ("initial", "maximum", "complaint"),
    [(0, 10, "initial backoff must be positive"), (10, 5, "must be at least the initial one")],
)
def test_an_impossible_backoff_is_refused(initial: float, maximum: float, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        Backoff.of_seconds(initial, maximum)


def test_failures_count_from_one() -> None:
    with pytest.raises(ValueError, match="from 1"):
        Backoff.of_seconds(1, 2).delay(0)
