"""A client's secret as handed out once: at creation and at each rotation. It is never shown again."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Final

from keel.domain.api_clients import ApiClient

SECRET_PREFIX: Final = "keel_sk_"  # noqa: S105 - a prefix, not a secret
"""Every secret starts with this, so secret scanners (and people) recognise one that leaked."""
_SECRET_BYTES: Final = 32


def new_secret() -> str:
    """A new random secret: the prefix and 256 bits, base64url."""
    return SECRET_PREFIX + secrets.token_urlsafe(_SECRET_BYTES)


@dataclass(frozen=True, slots=True)
class IssuedCredentials:
    client: ApiClient
    secret: str = field(repr=False)
