"""Access tokens verified before: a bounded, in-process memo of the actor each one carries, until it expires.

A client sends the same access token with every request for its lifetime (15 minutes by default), and checking an
ES256 signature is the most expensive step of an authenticated request that the cache answers. Once a token has
passed every check of ``JwtAccessTokenVerifier``, its actor is remembered under the token's exact text; the next
presentation of that text skips the signature and claim checks, and is refused again as soon as:

- the token is past ``exp`` (plus the leeway): the entry is dropped and the full check runs, which fails;
- the key that verified it is no longer the one the verifying key set holds for its ``kid`` (the key was retired or
  replaced): the full check runs against the current set.

The key is the whole token, header, payload and signature, so a token that differs in any byte is a different entry
and gets the full check; only tokens that passed are stored, so an attacker cannot fill the memo with forgeries.
Revocation (a ``jti`` denied at logout) is checked after this memo, on every request, against the in-process copy of
the denylist. ``max_entries`` bounds the memory (least recently used entries go first); 0 turns the memo off.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric import ec

from keel.application.users import Actor

DEFAULT_MAX_ENTRIES: Final = 10_000


@dataclass(frozen=True, slots=True)
class VerifiedToken:
    actor: Actor
    key: ec.EllipticCurvePublicKey  # the key the signature was checked with
    kid: str
    token_id: str  # jti
    session_id: UUID  # sid
    not_before: float  # nbf - leeway, seconds since the epoch
    expires: float  # exp + leeway, seconds since the epoch


class VerifiedTokens:
    """The memo: ``get`` answers a still-valid entry, ``put`` remembers a token that passed every check."""

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        if max_entries < 0:
            raise ValueError("max_entries is 0 (off) or more")
        self._max_entries = max_entries
        self._entries: OrderedDict[str, VerifiedToken] = OrderedDict()
        self.hits = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, token: str, *, now: float, keys: Mapping[str, ec.EllipticCurvePublicKey]) -> VerifiedToken | None:
        """The entry of ``token`` while ``now`` is within its validity and ``keys`` still holds the key that verified
        it under its ``kid``; an expired entry, or one whose key is gone, is dropped."""
        entry = self._entries.get(token)
        if entry is None:
            return None
        if now >= entry.expires or keys.get(entry.kid) is not entry.key:
            del self._entries[token]
            return None
        if now < entry.not_before:  # the clock went back: not answered, but kept
            return None
        self._entries.move_to_end(token)
        self.hits += 1
        return entry

    def put(self, token: str, entry: VerifiedToken) -> None:
        if self._max_entries == 0:
            return
        self._entries[token] = entry
        self._entries.move_to_end(token)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)

    def forget(self, token: str) -> None:
        self._entries.pop(token, None)
