"""A fast, deterministic password hasher with a scheme version, so that rehash-on-log-in can be seen."""

from __future__ import annotations

import hashlib
import hmac

from keel.domain.users import Password, PasswordHash

CURRENT_SCHEME = "v2"


def fake_hash(password: str, scheme: str = CURRENT_SCHEME) -> PasswordHash:
    return PasswordHash(f"fake${scheme}${hashlib.sha256(password.encode()).hexdigest()}")


class FakePasswordHasher:
    """Hashes look like ``fake$<scheme>$<sha256>``; those of another scheme need a rehash. It notes every hash it was
    asked to verify, so a test can see that a failed log-in still spent a verification, and counts the hashes it made
    (``hashed``)."""

    def __init__(self, scheme: str = CURRENT_SCHEME) -> None:
        self.scheme = scheme
        self.verified: list[PasswordHash] = []
        self.hashed = 0

    async def hash(self, password: Password) -> PasswordHash:
        self.hashed += 1
        return fake_hash(password.value, self.scheme)

    async def verify(self, password_hash: PasswordHash, password: str) -> bool:
        self.verified.append(password_hash)
        _, scheme, _ = password_hash.value.split("$", 2)
        return hmac.compare_digest(password_hash.value, fake_hash(password, scheme).value)

    def needs_rehash(self, password_hash: PasswordHash) -> bool:
        return not password_hash.value.startswith(f"fake${self.scheme}$")
