"""The API client: a name, one current secret, a previous one for a bounded rollover, and revocation for good."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from keel.domain.api_clients import (
    MAX_ROLLOVER,
    ApiClient,
    InvalidClientName,
    InvalidRollover,
    NoPreviousSecret,
)
from keel.domain.ids import uuid7

NOW = datetime(2026, 1, 1, 9, tzinfo=UTC)


def registered(name: str = "Acme sync") -> ApiClient:
    return ApiClient.register(
        id=uuid7(), tenant_id=uuid7(), name=name, created_by=uuid7(), sealed_secret=b"first", now=NOW
    )


def test_a_new_client_verifies_with_its_one_secret() -> None:
    client = registered("  Acme sync  ")
    assert client.name == "Acme sync"
    assert [secret.sealed for secret in client.secrets_valid_at(NOW)] == [b"first"]
    assert client.previous_secret is None


@pytest.mark.parametrize("name", ["", "   ", "x" * 101, "tab\there"])
def test_a_name_is_printable_and_bounded(name: str) -> None:
    with pytest.raises(InvalidClientName):
        registered(name)


def test_after_a_rotation_both_secrets_verify_until_the_rollover_ends() -> None:
    rotated = registered().rotated(b"second", now=NOW, rollover=timedelta(hours=2))
    assert [secret.sealed for secret in rotated.secrets_valid_at(NOW + timedelta(hours=1))] == [b"second", b"first"]
    assert [secret.sealed for secret in rotated.secrets_valid_at(NOW + timedelta(hours=2))] == [b"second"]
    assert rotated.previous_secret is not None
    assert rotated.previous_secret.expires_at == NOW + timedelta(hours=2)


def test_a_second_rotation_keeps_only_two_secrets() -> None:
    twice = (
        registered()
        .rotated(b"second", now=NOW, rollover=timedelta(days=1))
        .rotated(b"third", now=NOW + timedelta(minutes=5), rollover=timedelta(days=1))
    )
    assert [secret.sealed for secret in twice.secrets_valid_at(NOW + timedelta(minutes=6))] == [b"third", b"second"]


@pytest.mark.parametrize("rollover", [timedelta(seconds=-1), MAX_ROLLOVER + timedelta(seconds=1)])
def test_a_rollover_is_bounded(rollover: timedelta) -> None:
    with pytest.raises(InvalidRollover):
        registered().rotated(b"second", now=NOW, rollover=rollover)


def test_retiring_ends_the_rollover_and_cannot_be_done_twice() -> None:
    rotated = registered().rotated(b"second", now=NOW, rollover=timedelta(days=1))
    retired = rotated.previous_secret_retired(NOW + timedelta(hours=1))
    assert [secret.sealed for secret in retired.secrets_valid_at(NOW + timedelta(hours=1))] == [b"second"]
    with pytest.raises(NoPreviousSecret):
        retired.previous_secret_retired(NOW + timedelta(hours=1))
    with pytest.raises(NoPreviousSecret):  # an expired previous secret has nothing left to retire
        rotated.previous_secret_retired(NOW + timedelta(days=2))


def test_a_revoked_client_verifies_with_nothing() -> None:
    revoked = registered().rotated(b"second", now=NOW, rollover=timedelta(days=1)).revoked(NOW)
    assert revoked.is_revoked
    assert revoked.secrets_valid_at(NOW) == ()
