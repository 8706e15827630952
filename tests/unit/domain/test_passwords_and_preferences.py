"""Password policy, secrets kept out of reprs, and validated preferences."""

from __future__ import annotations

import pytest

from factories import UserFactory
from keel.domain.errors import InvariantViolated
from keel.domain.users import (
    InvalidLocale,
    InvalidTimezone,
    Password,
    PasswordHash,
    PasswordTooLong,
    Preferences,
    UserCredentials,
    WeakPassword,
)

SECRET = "correct horse battery staple"


def test_a_password_has_at_least_twelve_characters() -> None:
    assert Password("x" * 12).value == "x" * 12
    with pytest.raises(WeakPassword) as raised:
        Password("x" * 11)
    assert isinstance(raised.value, InvariantViolated)
    assert raised.value.code == "weak_password"
    assert raised.value.context == {"field": "password"}


def test_an_absurdly_long_password_is_refused_before_hashing() -> None:
    with pytest.raises(PasswordTooLong):
        Password("x" * 1025)


def test_passwords_and_hashes_never_show_in_reprs_or_strings() -> None:
    password, password_hash = Password(SECRET), PasswordHash("$argon2id$v=19$secret-hash")
    credentials = UserCredentials(user=UserFactory.build(), password_hash=password_hash)
    for shown in (repr(password), str(password), repr(password_hash), str(password_hash), repr(credentials)):
        assert SECRET not in shown
        assert "secret-hash" not in shown


def test_the_user_itself_carries_no_password_hash() -> None:
    assert not any("password" in name for name in vars(UserFactory.build()))


@pytest.mark.parametrize(
    ("locale", "timezone"),
    [("en", "UTC"), ("pt-BR", "America/Sao_Paulo"), ("zh-Hant-TW", "Asia/Taipei"), ("es-419", "Europe/Madrid")],
)
def test_accepts_language_tags_and_iana_zones(locale: str, timezone: str) -> None:
    assert Preferences(locale, timezone) == Preferences(locale=locale, timezone=timezone)


@pytest.mark.parametrize("locale", ["", "english", "EN", "en_GB", "en-gb", "e"])
def test_refuses_malformed_locales(locale: str) -> None:
    with pytest.raises(InvalidLocale):
        Preferences(locale=locale)


@pytest.mark.parametrize("timezone", ["", "Mars/Olympus_Mons", "europe/paris", "../../etc/passwd", "UTC+2"])
def test_refuses_unknown_time_zones(timezone: str) -> None:
    with pytest.raises(InvalidTimezone):
        Preferences(timezone=timezone)


def test_with_changes_replaces_only_what_is_given() -> None:
    base = Preferences("fr-FR", "Europe/Paris")
    assert base.with_changes(timezone="UTC") == Preferences("fr-FR", "UTC")
    assert base.with_changes() == base
