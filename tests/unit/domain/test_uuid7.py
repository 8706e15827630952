"""UUIDv7 ids: RFC 9562 version and variant bits, the time they carry, and strict order per generator."""

from __future__ import annotations

import itertools
import random
import uuid

from hypothesis import given
from hypothesis import strategies as st

from keel.domain.ids import Uuid7Generator, uuid7, uuid7_timestamp_ms

A_MILLISECOND = 1_735_732_800_000  # 2025-01-01T12:00:00Z


def frozen_at(ms: int) -> Uuid7Generator:
    return Uuid7Generator(clock_ms=lambda: ms)


def test_version_and_variant_bits() -> None:
    value = uuid7()
    assert value.version == 7
    assert value.variant == uuid.RFC_4122
    assert (value.int >> 76) & 0xF == 0x7
    assert (value.int >> 62) & 0b11 == 0b10


@given(st.integers(min_value=0, max_value=(1 << 48) - 2))
def test_the_id_carries_the_clock_milliseconds(ms: int) -> None:
    value = frozen_at(ms).new_id()
    assert uuid7_timestamp_ms(value) == ms
    assert value.version == 7
    assert value.variant == uuid.RFC_4122


def test_ids_made_within_one_millisecond_strictly_increase_as_numbers_strings_and_bytes() -> None:
    generator = frozen_at(A_MILLISECOND)
    ids = [generator.new_id() for _ in range(10_000)]
    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids)
    assert [str(i) for i in ids] == sorted(str(i) for i in ids)
    assert [i.bytes for i in ids] == sorted(i.bytes for i in ids)
    assert {uuid7_timestamp_ms(i) for i in ids} == {A_MILLISECOND}


@given(st.lists(st.integers(min_value=0, max_value=(1 << 47)), min_size=2, max_size=200))
def test_ids_strictly_increase_whatever_the_clock_does(readings: list[int]) -> None:
    """Clock steps forward, stands still or goes back: the ids of one generator still increase."""
    clock = iter(readings)
    generator = Uuid7Generator(clock_ms=lambda: next(clock))
    ids = [generator.new_id() for _ in readings]
    assert all(earlier < later for earlier, later in itertools.pairwise(ids))


def test_a_later_millisecond_sorts_after_any_id_of_an_earlier_one() -> None:
    early, late = frozen_at(A_MILLISECOND), frozen_at(A_MILLISECOND + 1)
    assert max(early.new_id() for _ in range(100)) < late.new_id()


def test_a_full_counter_borrows_the_next_millisecond() -> None:
    seeded_high = Uuid7Generator(clock_ms=lambda: A_MILLISECOND, random_bits=lambda bits: (1 << bits) - 1)
    first = seeded_high.new_id()
    seeded_high._counter = (1 << 42) - 1  # as if 2**41 ids had been made within this millisecond
    second = seeded_high.new_id()
    assert first < second
    assert uuid7_timestamp_ms(second) == A_MILLISECOND + 1


def test_generators_in_different_processes_do_not_collide_in_practice() -> None:
    seeded = [
        Uuid7Generator(clock_ms=lambda: A_MILLISECOND, random_bits=random.Random(n).getrandbits) for n in range(50)
    ]
    ids = {generator.new_id() for generator in seeded}
    assert len(ids) == 50
