"""Waiting for something another task or process does, without asserting on how long it took."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

POLL_SECONDS = 0.05


async def wait_until(check: Callable[[], Awaitable[bool]], *, within: float, what: str) -> None:
    """Return once ``await check()`` is true; fail naming ``what`` if it is not within ``within`` seconds."""
    try:
        async with asyncio.timeout(within):
            while True:
                if await check():
                    return
                await asyncio.sleep(POLL_SECONDS)
    except TimeoutError:
        raise AssertionError(f"not within {within:g} s: {what}") from None
