"""The tenant's slug: the short, URL-safe name that identifies it at log-in and in URLs."""

from __future__ import annotations

import re
from dataclasses import dataclass

from keel.domain.tenants.errors import InvalidTenantSlug

# 3 to 63 characters: lower-case letters, digits and hyphens, starting and ending with a letter or digit.
SLUG_PATTERN = re.compile(r"[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])")


@dataclass(frozen=True, slots=True)
class TenantSlug:
    value: str

    def __post_init__(self) -> None:
        if SLUG_PATTERN.fullmatch(self.value) is None:
            raise InvalidTenantSlug(
                "A slug has 3 to 63 lower-case letters, digits or hyphens and starts and ends with a letter or digit.",
                context={"field": "slug"},
            )

    def __str__(self) -> str:
        return self.value
