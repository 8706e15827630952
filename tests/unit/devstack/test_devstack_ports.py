"""A port the stack needs but cannot have is reported before anything starts, naming the port and the service."""

from __future__ import annotations

import pytest

from keel.devstack.errors import DevStackError
from keel.devstack.ports import PortClaim, ensure_ports_free, port_conflicts

POSTGRES = PortClaim("postgres", "127.0.0.1", 54329, "KEEL_DEV__POSTGRES_PORT")
REDIS = PortClaim("redis", "127.0.0.1", 63799, "KEEL_DEV__REDIS_PORT")


def test_free_ports_raise_nothing() -> None:
    ensure_ports_free([POSTGRES, REDIS], is_free=lambda host, port: True)


def test_a_busy_port_names_the_port_the_service_and_the_setting_to_change() -> None:
    with pytest.raises(DevStackError) as raised:
        ensure_ports_free([POSTGRES, REDIS], is_free=lambda host, port: port != 63799)

    message = str(raised.value)
    assert "port 63799 (redis, KEEL_DEV__REDIS_PORT) is already in use on 127.0.0.1" in message
    assert "54329" not in message


def test_every_busy_port_is_reported_at_once() -> None:
    problems = port_conflicts([POSTGRES, REDIS], is_free=lambda host, port: False)

    assert len(problems) == 2
    assert problems[0].startswith("port 54329 (postgres, KEEL_DEV__POSTGRES_PORT)")


def test_two_services_configured_on_one_port_is_reported() -> None:
    smtp = PortClaim("smtp sink", "127.0.0.1", 54329, "KEEL_DEV__SMTP_PORT")

    problems = port_conflicts([POSTGRES, smtp], is_free=lambda host, port: True)

    assert problems == [
        "port 54329 (smtp sink, KEEL_DEV__SMTP_PORT) is also configured for postgres (KEEL_DEV__POSTGRES_PORT)"
    ]
