"""Email addresses, normalised so that one mailbox has one spelling: trimmed and lower-cased, local part included.

Only ASCII addresses are accepted (internationalised domains in their ``xn--`` form): a dot-atom local part of at most
64 characters and a host name of at least two labels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from keel.domain.users.errors import InvalidEmail
from keel.domain.users.limits import MAX_EMAIL_LENGTH

_ATOM = r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL_PART = re.compile(rf"{_ATOM}(?:\.{_ATOM})*")
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_DOMAIN = re.compile(rf"{_LABEL}(?:\.{_LABEL})+")
_MAX_LOCAL_PART_LENGTH = 64


def normalise_email(raw: str) -> str:
    """The canonical spelling of ``raw``: surrounding whitespace removed, lower-cased."""
    return raw.strip().lower()


@dataclass(frozen=True, slots=True)
class EmailAddress:
    """A valid, normalised email address. ``EmailAddress(" Ann@Example.COM ").value == "ann@example.com"``."""

    value: str

    def __post_init__(self) -> None:
        normalised = normalise_email(self.value)
        if not _is_valid(normalised):
            raise InvalidEmail("This is not a valid email address.", context={"field": "email"})
        object.__setattr__(self, "value", normalised)

    @property
    def domain(self) -> str:
        return self.value.rpartition("@")[2]

    def __str__(self) -> str:
        return self.value


def _is_valid(address: str) -> bool:
    if not address.isascii() or len(address) > MAX_EMAIL_LENGTH:
        return False
    local, at, domain = address.rpartition("@")
    return (
        bool(at)
        and len(local) <= _MAX_LOCAL_PART_LENGTH
        and _LOCAL_PART.fullmatch(local) is not None
        and _DOMAIN.fullmatch(domain) is not None
    )
