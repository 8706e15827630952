"""A user's preferences: the language tag and the IANA time zone the service shows things in."""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from functools import cache

from keel.domain.users.errors import InvalidLocale, InvalidTimezone

DEFAULT_LOCALE = "en"
DEFAULT_TIMEZONE = "UTC"

# A BCP 47 language tag of the common shape: language, optional script, optional region ("en", "pt-BR", "zh-Hant-TW").
_LOCALE_PATTERN = re.compile(r"[a-z]{2,3}(?:-[A-Z][a-z]{3})?(?:-(?:[A-Z]{2}|[0-9]{3}))?")


@cache
def _known_timezones() -> frozenset[str]:
    """The IANA names the time zone database of this host (or the ``tzdata`` package) knows, plus ``UTC``."""
    return frozenset(zoneinfo.available_timezones()) | {DEFAULT_TIMEZONE}


def is_known_timezone(name: str) -> bool:
    return name in _known_timezones()


@dataclass(frozen=True, slots=True)
class Preferences:
    locale: str = DEFAULT_LOCALE
    timezone: str = DEFAULT_TIMEZONE

    def __post_init__(self) -> None:
        if _LOCALE_PATTERN.fullmatch(self.locale) is None:
            raise InvalidLocale(
                "A locale is a language tag such as 'en', 'pt-BR' or 'zh-Hant-TW'.", context={"field": "locale"}
            )
        if not is_known_timezone(self.timezone):
            raise InvalidTimezone(
                "A time zone is an IANA name such as 'Europe/Paris' or 'UTC'.", context={"field": "timezone"}
            )

    def with_changes(self, *, locale: str | None = None, timezone: str | None = None) -> Preferences:
        """These preferences with the given ones replaced (``None`` keeps the current value)."""
        return Preferences(
            locale=self.locale if locale is None else locale,
            timezone=self.timezone if timezone is None else timezone,
        )
