"""In-process single flight: concurrent calls for the same key share one execution.

The first caller (the leader) runs the call; callers arriving while it runs wait for its result instead of running
their own — a hundred concurrent misses on one key in a process become one database read. If the leader fails (an
error, a cancellation), each waiting caller runs the call itself: one request's failure or its session's state never
becomes another request's error. Waiting is shielded, so a cancelled follower does not cancel the leader.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Final


class _LeaderFailed:
    pass


_LEADER_FAILED: Final = _LeaderFailed()


class SingleFlight[K, T]:
    def __init__(self) -> None:
        self._running: dict[K, asyncio.Future[T | _LeaderFailed]] = {}

    def __len__(self) -> int:
        """The number of calls running now."""
        return len(self._running)

    async def run(self, key: K, call: Callable[[], Awaitable[T]]) -> tuple[T, bool]:
        """The result of ``call()``, run here or by a concurrent caller with the same key; and whether it was shared."""
        running = self._running.get(key)
        if running is not None:
            shared = await asyncio.shield(running)
            if not isinstance(shared, _LeaderFailed):
                return shared, True
            return await call(), False
        future: asyncio.Future[T | _LeaderFailed] = asyncio.get_running_loop().create_future()
        self._running[key] = future
        try:
            result = await call()
        except BaseException:
            future.set_result(_LEADER_FAILED)
            raise
        finally:
            del self._running[key]
        future.set_result(result)
        return result, False
