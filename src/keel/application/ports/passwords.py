"""The password hasher port. Hashing is deliberately slow, so the methods that hash are async: an adapter can run the
work in a thread and keep the event loop free."""

from __future__ import annotations

from typing import Protocol

from keel.domain.users import Password, PasswordHash


class PasswordHasher(Protocol):
    async def hash(self, password: Password) -> PasswordHash:
        """A new salted hash of a password that meets the policy."""
        ...

    async def verify(self, password_hash: PasswordHash, password: str) -> bool:
        """Whether ``password`` matches; ``False`` (never an error) for a wrong password or an unreadable hash.

        ``password`` is a plain ``str``: a log-in attempt is checked as typed, whatever the current policy says.
        """
        ...

    def needs_rehash(self, password_hash: PasswordHash) -> bool:
        """Whether the hash was made with parameters older than the current ones (checked after a good log-in)."""
        ...
