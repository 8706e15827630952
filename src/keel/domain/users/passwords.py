"""Passwords and their hashes. Neither ever shows in a ``repr``, a log line or an error.

Where the hash lives: not on ``User``. A user read by ``GetUser``/``ListUsers`` (and cached, and serialised) carries no
hash at all; the hash travels only in ``UserCredentials`` — written together with a new user and read back only by
log-in — so it cannot leak through the read side by accident.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from keel.domain.users.errors import PasswordTooLong, WeakPassword
from keel.domain.users.limits import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from keel.domain.users.user import User


@dataclass(frozen=True, slots=True)
class Password:
    """A plaintext password that meets the policy: at least ``MIN_PASSWORD_LENGTH`` characters."""

    value: str = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.value) < MIN_PASSWORD_LENGTH:
            raise WeakPassword(
                f"A password has at least {MIN_PASSWORD_LENGTH} characters.", context={"field": "password"}
            )
        if len(self.value) > MAX_PASSWORD_LENGTH:
            raise PasswordTooLong(
                f"A password has at most {MAX_PASSWORD_LENGTH} characters.", context={"field": "password"}
            )

    def __str__(self) -> str:
        return "********"


@dataclass(frozen=True, slots=True)
class PasswordHash:
    """The stored form of a password, in the hasher's own encoding (e.g. a PHC string)."""

    value: str = field(repr=False)

    def __str__(self) -> str:
        return "********"


UNUSABLE_PASSWORD_HASH = PasswordHash("!")
"""The hash of a user who has no password yet (an imported user): no hasher reads it, so no password matches it."""


@dataclass(frozen=True, slots=True)
class UserCredentials:
    """A user together with their password hash: what creating a user stores and what log-in reads."""

    user: User
    password_hash: PasswordHash
