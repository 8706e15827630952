"""Which services `keel dev` embeds, and where it points the API: embedded twins unless a URL was given."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from keel.devstack.plan import Embedded, plan_stack
from keel.settings import Settings


@pytest.fixture(autouse=True)
def _no_keel_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Start from defaults: no KEEL_* variables and no .env in the working directory."""
    for name in list(os.environ):
        if name.startswith("KEEL_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_by_default_every_service_is_embedded_on_the_dev_ports() -> None:
    plan = plan_stack(Settings())

    assert plan.embedded == set(Embedded)
    assert plan.app_environment() == {
        "KEEL_DATABASE__URL": "postgresql+asyncpg://postgres@127.0.0.1:54329/keel",
        "KEEL_CACHE__URL": "redis://127.0.0.1:63799/0",
        "KEEL_TEMPORAL__ADDRESS": "127.0.0.1:7233",
        "KEEL_EMAIL__SMTP_HOST": "127.0.0.1",
        "KEEL_EMAIL__SMTP_PORT": "1025",
    }
    assert plan.temporal_ui_url == "http://127.0.0.1:8233"


def test_dev_ports_move_the_embedded_services(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEEL_DEV__POSTGRES_PORT", "15432")
    monkeypatch.setenv("KEEL_DEV__REDIS_PORT", "16379")
    monkeypatch.setenv("KEEL_DEV__TEMPORAL_PORT", "17233")
    monkeypatch.setenv("KEEL_DEV__TEMPORAL_UI_PORT", "18233")
    monkeypatch.setenv("KEEL_DEV__SMTP_PORT", "12525")

    plan = plan_stack(Settings())

    assert plan.database_url == "postgresql+asyncpg://postgres@127.0.0.1:15432/keel"
    assert plan.cache_url == "redis://127.0.0.1:16379/0"
    assert plan.temporal_address == "127.0.0.1:17233"
    assert plan.temporal_ui_url == "http://127.0.0.1:18233"
    assert (plan.smtp_host, plan.smtp_port) == ("127.0.0.1", 12525)


def test_a_database_given_by_url_is_used_instead_of_the_embedded_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEEL_DATABASE__URL", "postgresql+asyncpg://app:secret@db.internal:5432/app")

    plan = plan_stack(Settings())

    assert Embedded.POSTGRES not in plan.embedded
    assert plan.app_environment()["KEEL_DATABASE__URL"] == "postgresql+asyncpg://app:secret@db.internal:5432/app"
    assert {Embedded.REDIS, Embedded.TEMPORAL, Embedded.SMTP} <= plan.embedded


def test_other_database_settings_do_not_count_as_a_given_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEEL_DATABASE__POOL_SIZE", "3")

    assert plan_stack(Settings()).starts(Embedded.POSTGRES)


def test_given_redis_temporal_and_smtp_are_used_as_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEEL_CACHE__URL", "redis://cache.internal:6379/2")
    monkeypatch.setenv("KEEL_TEMPORAL__ADDRESS", "temporal.internal:7233")
    monkeypatch.setenv("KEEL_EMAIL__SMTP_HOST", "mail.internal")

    plan = plan_stack(Settings())

    assert plan.embedded == {Embedded.POSTGRES}
    assert plan.cache_url == "redis://cache.internal:6379/2"
    assert plan.temporal_address == "temporal.internal:7233"
    assert plan.temporal_ui_url is None
    assert (plan.smtp_host, plan.smtp_port) == ("mail.internal", 1025)


def test_the_cache_switched_off_needs_no_redis() -> None:
    plan = plan_stack(Settings(cache={"mode": "off"}))

    assert Embedded.REDIS not in plan.embedded
    assert "KEEL_CACHE__URL" not in plan.app_environment()


def test_an_api_bound_to_every_interface_is_reached_on_the_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEEL_API__HOST", "0.0.0.0")
    monkeypatch.setenv("KEEL_API__PORT", "8100")

    plan = plan_stack(Settings())

    assert plan.api_url == "http://127.0.0.1:8100"
