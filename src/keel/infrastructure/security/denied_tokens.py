"""Access tokens denied before they expire (logout), as this process knows them: the copy checked on every request.

A ``dict`` from ``jti`` to the moment the token stops being valid anyway: ``is_denied`` is one lookup, no I/O, so it
adds nothing measurable to an authenticated request. Entries leave once their token has expired (a heap orders them
by expiry; each addition drops the expired ones), so the memory held is bounded by the denials of one token lifetime.

On its own (cache mode ``off``) this is the whole denylist, per process: another process never learns of a denial,
and a restart forgets them all. With Redis, ``RedisAccessTokenDenylist`` keeps it in step with the other processes.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable, Iterable
from datetime import datetime


class DeniedAccessTokens:
    """Implements ``AccessTokenDenylist`` in memory, and serves as the mirror of the shared one."""

    def __init__(self, wall_clock: Callable[[], float] = time.time) -> None:
        self._until: dict[str, float] = {}
        self._expiries: list[tuple[float, str]] = []
        self._wall_clock = wall_clock

    def __len__(self) -> int:
        return len(self._until)

    def is_denied(self, token_id: str) -> bool:
        until = self._until.get(token_id)
        if until is None:
            return False
        if until <= self._wall_clock():
            del self._until[token_id]
            return False
        return True

    async def deny(self, token_id: str, valid_until: datetime) -> None:
        self.add(token_id, valid_until.timestamp())

    def add(self, token_id: str, until: float) -> None:
        """Deny ``token_id`` until ``until`` (seconds since the epoch); an entry already there keeps the later end."""
        self._drop_expired()
        if until <= self._wall_clock():
            return
        if until > self._until.get(token_id, 0.0):
            self._until[token_id] = until
            heapq.heappush(self._expiries, (until, token_id))

    def add_all(self, entries: Iterable[tuple[str, float]]) -> None:
        for token_id, until in entries:
            self.add(token_id, until)

    def entries(self) -> dict[str, float]:
        """The live entries (a copy)."""
        self._drop_expired()
        return dict(self._until)

    def _drop_expired(self) -> None:
        now = self._wall_clock()
        while self._expiries and self._expiries[0][0] <= now:
            until, token_id = heapq.heappop(self._expiries)
            if self._until.get(token_id) == until:
                del self._until[token_id]
