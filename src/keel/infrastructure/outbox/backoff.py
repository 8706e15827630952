"""How long a row that failed to dispatch waits before the next attempt: doubling from a start, up to a cap."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

_MAX_DOUBLINGS = 64  # 2**64 × any start is past any cap a timedelta can hold: stop multiplying there


@dataclass(frozen=True, slots=True)
class Backoff:
    initial: timedelta
    maximum: timedelta

    def __post_init__(self) -> None:
        if self.initial <= timedelta(0):
            raise ValueError(f"the initial backoff must be positive, not {self.initial}")
        if self.maximum < self.initial:
            raise ValueError(f"the maximum backoff ({self.maximum}) must be at least the initial one ({self.initial})")

    @classmethod
    def of_seconds(cls, initial: float, maximum: float) -> Backoff:
        return cls(timedelta(seconds=initial), timedelta(seconds=maximum))

    def delay(self, failures: int) -> timedelta:
        """The wait after the ``failures``-th failed attempt (1 → ``initial``, 2 → twice that, …, capped)."""
        if failures < 1:
            raise ValueError(f"failures counts failed attempts, from 1; got {failures}")
        doublings = min(failures - 1, _MAX_DOUBLINGS)
        seconds = self.initial.total_seconds() * 2.0**doublings  # a float: compared with the cap before a timedelta
        return self.maximum if seconds >= self.maximum.total_seconds() else timedelta(seconds=seconds)
