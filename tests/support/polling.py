"""Waiting for something another task or process does in its own time (a pub/sub message, a periodic reload).

Tests never assert on how long that takes: ``eventually`` polls the condition and fails only past a bound far beyond
any normal delay, so a slow machine makes a test slower, not red.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
from collections.abc import Awaitable, Callable


async def eventually(
    condition: Callable[[], bool | Awaitable[bool]], *, within_seconds: float = 10.0, every_seconds: float = 0.01
) -> None:
    """Return once ``condition()`` (sync or async) holds; ``TimeoutError`` if it still does not after the bound."""
    async with asyncio.timeout(within_seconds):
        for _ in itertools.count():
            holds = condition()
            if inspect.isawaitable(holds):
                holds = await holds
            if holds:
                return
            await asyncio.sleep(every_seconds)
