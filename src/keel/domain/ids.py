"""Time-ordered identifiers: RFC 9562 UUID version 7, from the standard library alone (Python 3.12 has no ``uuid7``).

Layout (most significant first): 48 bits of Unix time in milliseconds, 4 version bits (``0111``), 12 bits ``rand_a``,
2 variant bits (``10``), 62 bits ``rand_b``. ``rand_a`` and the top 30 bits of ``rand_b`` form a 42-bit counter
(RFC 9562 §6.2, method 1) seeded at random each millisecond with its top bit clear, so ids made by one generator are
strictly increasing even within a millisecond; the last 32 bits are fresh randomness. If the clock goes back, the
generator keeps the last timestamp; if the counter overflows, it borrows the next millisecond.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from uuid import UUID

_COUNTER_BITS = 42
_RANDOM_TAIL_BITS = 32
_COUNTER_LIMIT = 1 << _COUNTER_BITS
_VERSION = 0x7
_VARIANT = 0b10
_MAX_TIMESTAMP_MS = (1 << 48) - 1


def _wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


class Uuid7Generator:
    """Makes UUIDv7s, strictly increasing per generator; safe to share between threads.

    ``clock_ms`` and ``random_bits`` are replaceable so tests can freeze time; production uses the defaults.
    It satisfies the application's ``IdGenerator`` port (``new_id``).
    """

    def __init__(
        self,
        *,
        clock_ms: Callable[[], int] = _wall_clock_ms,
        random_bits: Callable[[int], int] = secrets.randbits,
    ) -> None:
        self._clock_ms = clock_ms
        self._random_bits = random_bits
        self._lock = threading.Lock()
        self._last_ms = -1
        self._counter = 0

    def new_id(self) -> UUID:
        with self._lock:
            now_ms = self._clock_ms()
            if now_ms > self._last_ms:
                self._last_ms = now_ms
                self._counter = self._random_bits(_COUNTER_BITS - 1)
            else:
                self._counter += 1
                if self._counter >= _COUNTER_LIMIT:
                    self._last_ms += 1
                    self._counter = self._random_bits(_COUNTER_BITS - 1)
            return _assemble(self._last_ms, self._counter, self._random_bits(_RANDOM_TAIL_BITS))


def _assemble(timestamp_ms: int, counter: int, tail: int) -> UUID:
    if not 0 <= timestamp_ms <= _MAX_TIMESTAMP_MS:
        raise ValueError(f"timestamp {timestamp_ms} ms does not fit in 48 bits")
    rand_a = counter >> (_COUNTER_BITS - 12)
    rand_b = ((counter & ((1 << (_COUNTER_BITS - 12)) - 1)) << _RANDOM_TAIL_BITS) | tail
    value = (timestamp_ms << 80) | (_VERSION << 76) | (rand_a << 64) | (_VARIANT << 62) | rand_b
    return UUID(int=value)


def uuid7_timestamp_ms(value: UUID) -> int:
    """The Unix time in milliseconds a UUIDv7 carries."""
    return value.int >> 80


_default_generator = Uuid7Generator()


def uuid7() -> UUID:
    """A new UUIDv7 from the process-wide generator."""
    return _default_generator.new_id()
