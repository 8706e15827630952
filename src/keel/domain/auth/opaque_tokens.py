"""Opaque secret tokens: random strings handed to a client once and kept at rest only as their SHA-256 digest.

A token is 32 random bytes (256 bits) from the operating system's CSPRNG, base64url-encoded without padding: 43
URL-safe characters, fit for a JSON body or a link. The store keeps ``SHA-256(token)``. A slow, salted password hash
is for secrets people choose; a 256-bit random value cannot be found from its digest by any search, and a plain digest
lets a presented token be found by one index lookup. Whoever reads the table learns no usable token.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Final

OPAQUE_TOKEN_BYTES: Final = 32


@dataclass(frozen=True, slots=True)
class TokenDigest:
    """SHA-256 of a token's text: what is stored and looked up."""

    value: bytes = field(repr=False)

    @classmethod
    def of(cls, token: str) -> TokenDigest:
        """The digest of any presented text (lone surrogates a JSON body may carry are hashed, not refused)."""
        return cls(hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest())

    def __repr__(self) -> str:
        return f"TokenDigest({self.value[:4].hex()}…)"


@dataclass(frozen=True, slots=True)
class OpaqueToken:
    """A new secret token. ``secret`` goes to its holder once; only ``digest`` is stored."""

    secret: str = field(repr=False)

    @classmethod
    def new(cls) -> OpaqueToken:
        return cls(secrets.token_urlsafe(OPAQUE_TOKEN_BYTES))

    @property
    def digest(self) -> TokenDigest:
        return TokenDigest.of(self.secret)

    def __str__(self) -> str:
        return "********"
