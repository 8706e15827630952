"""Usernames: 3 to 32 lower-case letters, digits, ``_``, ``.`` or ``-``, exactly as given (no silent rewriting)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from keel.domain.users.errors import InvalidUsername

USERNAME_PATTERN = re.compile(r"[a-z0-9_.-]{3,32}")


@dataclass(frozen=True, slots=True)
class Username:
    value: str

    def __post_init__(self) -> None:
        if USERNAME_PATTERN.fullmatch(self.value) is None:
            raise InvalidUsername(
                "A username has 3 to 32 lower-case letters, digits, '_', '.' or '-'.", context={"field": "username"}
            )

    def __str__(self) -> str:
        return self.value
