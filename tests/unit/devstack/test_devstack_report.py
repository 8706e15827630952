"""What `keel dev` prints never shows a password from a given URL."""

from __future__ import annotations

from keel.devstack.report import hide_password


def test_the_password_of_a_url_is_hidden() -> None:
    assert (
        hide_password("postgresql://app:s3cr%40t@db.internal:5432/app") == "postgresql://app:***@db.internal:5432/app"
    )


def test_urls_without_password_are_unchanged() -> None:
    assert hide_password("postgresql://postgres@127.0.0.1:54329/keel") == "postgresql://postgres@127.0.0.1:54329/keel"
    assert hide_password("redis://127.0.0.1:63799/0") == "redis://127.0.0.1:63799/0"


def test_a_redis_url_with_only_a_password_is_hidden() -> None:
    assert hide_password("redis://:topsecret@cache.internal:6379/0") == "redis://:***@cache.internal:6379/0"
