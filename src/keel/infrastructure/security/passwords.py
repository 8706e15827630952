"""Argon2id password hashing (argon2-cffi), with the cost parameters from settings.

Hashes are PHC strings (``$argon2id$v=19$m=65536,t=3,p=4$<salt>$<hash>``) that carry their own parameters, so raising
the cost later leaves old hashes verifiable and ``needs_rehash`` tells log-in to store a new one. Hashing takes tens of
milliseconds of CPU and memory by design: it runs in a worker thread so the event loop keeps serving other requests.

Passwords are hashed as UTF-8 with lone surrogates passed through (JSON can carry ``"\\ud800"``), so any string a
client sends is hashed or checked rather than turned into a server error.
"""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher as Argon2
from argon2 import Type
from argon2.exceptions import InvalidHashError, VerificationError

from keel.domain.users import Password, PasswordHash


class Argon2PasswordHasher:
    """Implements ``PasswordHasher`` with argon2id."""

    def __init__(self, *, time_cost: int, memory_cost_kib: int, parallelism: int) -> None:
        self._argon2 = Argon2(time_cost=time_cost, memory_cost=memory_cost_kib, parallelism=parallelism, type=Type.ID)

    async def hash(self, password: Password) -> PasswordHash:
        return PasswordHash(await asyncio.to_thread(self._argon2.hash, _secret(password.value)))

    async def verify(self, password_hash: PasswordHash, password: str) -> bool:
        return await asyncio.to_thread(self._matches, password_hash.value, password)

    def needs_rehash(self, password_hash: PasswordHash) -> bool:
        try:
            return self._argon2.check_needs_rehash(password_hash.value)
        except InvalidHashError:
            return True  # not one of ours: replace it with one that is

    def _matches(self, encoded_hash: str, password: str) -> bool:
        try:
            return self._argon2.verify(encoded_hash, _secret(password))
        except (VerificationError, InvalidHashError):
            return False


def _secret(password: str) -> bytes:
    return password.encode("utf-8", "surrogatepass")
