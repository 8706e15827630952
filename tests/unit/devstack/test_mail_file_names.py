"""Messages caught by the SMTP sink are files that list in arrival order and never overwrite each other."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from keel.devstack.smtp_sink import message_file_name


def test_the_name_is_the_utc_arrival_time_then_a_token() -> None:
    received = datetime(2026, 11, 21, 23, 37, 5, 120_000, tzinfo=UTC)

    assert message_file_name(received, "a1b2c3d4") == "20261121T233705.120000Z-a1b2c3d4.eml"


def test_local_times_are_named_in_utc() -> None:
    paris = timezone(timedelta(hours=1))
    received = datetime(2026, 11, 22, 0, 37, 5, tzinfo=paris)

    assert message_file_name(received, "ff").startswith("20261121T233705.000000Z-")


def test_names_sort_in_arrival_order() -> None:
    first = datetime(2026, 11, 21, 23, 59, 59, 999_999, tzinfo=UTC)
    arrivals = [first + timedelta(microseconds=step) for step in (0, 1, 1_000_000, 86_400_000_000)]

    names = [message_file_name(moment, "00000000") for moment in arrivals]

    assert sorted(names) == names


def test_two_messages_in_the_same_microsecond_get_two_names() -> None:
    received = datetime(2026, 11, 21, 23, 37, 5, tzinfo=UTC)

    assert message_file_name(received, "0a0a0a0a") != message_file_name(received, "0b0b0b0b")
