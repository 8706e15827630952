"""Quotas from settings: the ``<count>/<period>`` form, ``0`` for none, and which classes refuse without Redis."""

from __future__ import annotations

import pytest

from keel.application.ports.rate_limits import Quota
from keel.presentation.api.rate_limiting import account_key, quotas_from
from keel.settings import RateLimitClass, RateLimitSettings, parse_rate


@pytest.mark.parametrize(
    ("spec", "rate"),
    [("10/1m", (10, 60)), ("100/s", (100, 1)), ("5/15m", (5, 900)), ("1000/1d", (1000, 86_400)), (" 0 ", None)],
)
def test_a_rate_is_a_count_per_period(spec: str, rate: tuple[int, int] | None) -> None:
    assert parse_rate(spec) == rate


@pytest.mark.parametrize("spec", ["", "ten/1m", "10/1w", "10/0s", "0/1m", "10/2d", "10 per minute", "-1/1m"])
def test_anything_else_is_refused(spec: str) -> None:
    with pytest.raises(ValueError, match="rate"):
        parse_rate(spec)


def test_a_rate_finer_than_the_limiters_microsecond_is_refused() -> None:
    assert parse_rate("1000000/1s") == (1_000_000, 1)
    with pytest.raises(ValueError, match="at most 1000000 requests per second"):
        parse_rate("1000001/1s")


def test_each_class_gets_its_quota_and_its_failure_policy() -> None:
    quotas = quotas_from(RateLimitSettings(login="3/1m", read="0", fail_closed=["login"]))
    assert quotas[RateLimitClass.LOGIN] == Quota("login", 3, 60, fail_closed=True)
    assert quotas[RateLimitClass.READ] is None
    assert quotas[RateLimitClass.WRITE] == Quota("write", 120, 60, fail_closed=False)
    assert set(quotas) == set(RateLimitClass)


def test_turned_off_no_class_is_limited() -> None:
    assert set(quotas_from(RateLimitSettings(enabled=False)).values()) == {None}


def test_by_default_the_strict_classes_refuse_without_redis() -> None:
    quotas = quotas_from(RateLimitSettings())
    closed = {route_class for route_class, quota in quotas.items() if quota is not None and quota.fail_closed}
    assert closed == {RateLimitClass.LOGIN, RateLimitClass.PASSWORD_RESET, RateLimitClass.SIGNUP}


def test_an_account_key_is_stable_and_reveals_no_address() -> None:
    key = account_key("acme", "Ann@Example.com ")
    assert key == account_key(" ACME", "ann@example.com")
    assert key != account_key("acme", "bob@example.com")
    assert "example" not in key
    assert len(key) == 32
