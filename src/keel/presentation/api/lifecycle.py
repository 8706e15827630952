"""Graceful shutdown of the API process: readiness fails first, then the listener closes, then requests drain.

On the first SIGTERM (or SIGINT) ``DrainingServer``:

1. marks the app's ``ShutdownState`` as draining: ``/health/ready`` answers 503 from then on, while every other route
   keeps serving, so a load balancer stops routing new traffic here;
2. after ``api.shutdown_drain_delay_seconds`` — long enough for the balancer's next probes to notice — closes the
   listening sockets, then waits ``SETTLE_SECONDS`` before handing over to uvicorn's own shutdown: it lets in-flight
   requests finish for up to ``api.shutdown_grace_seconds`` (closing idle connections at once), then runs the
   lifespan shutdown, which stops the container's resources in reverse start order.

Why the pause: uvicorn counts a connection whose request it has not read yet as idle, and closes it with the
listener. A client that connected a moment before the listener closed has sent its request, and gets no answer at
all (the resilience suite saw it under load: "server disconnected without sending a response"). Closing the listener
first, then giving the connections already accepted a moment to deliver their request, makes those requests in
flight like any other: they are answered.

A second signal during the delay skips the rest of it. The process still ends by re-raising the signal, as uvicorn
does, so a supervisor sees how it ended.
"""

from __future__ import annotations

import asyncio
import socket
import time
from dataclasses import dataclass
from types import FrameType
from typing import Final

import structlog
import uvicorn

logger = structlog.get_logger("keel.api")

SETTLE_SECONDS: Final = 0.25
"""How long connections accepted before the listener closed may take to deliver their request."""


@dataclass
class ShutdownState:
    """Whether the process is shutting down; read by the readiness route."""

    draining: bool = False


class DrainingServer(uvicorn.Server):
    def __init__(
        self,
        config: uvicorn.Config,
        *,
        state: ShutdownState,
        drain_delay_seconds: float,
        settle_seconds: float = SETTLE_SECONDS,
    ) -> None:
        super().__init__(config)
        self._state = state
        self._drain_delay_seconds = drain_delay_seconds
        self._settle_seconds = settle_seconds
        self._drain_until: float | None = None
        self._announced = False

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        # A signal handler: set flags only (no logging, no awaiting); `on_tick` acts on them.
        if self._drain_until is None and not self.should_exit:
            self._state.draining = True
            self._drain_until = time.monotonic() + self._drain_delay_seconds
            self._captured_signals.append(sig)  # re-raised once shut down, as uvicorn does for the signals it handles
            return
        super().handle_exit(sig, frame)

    async def on_tick(self, counter: int) -> bool:
        if self._drain_until is not None and not self.should_exit:
            if not self._announced:
                self._announced = True
                logger.info("api.shutdown.draining", listener_closes_in_seconds=self._drain_delay_seconds)
            if time.monotonic() >= self._drain_until:
                logger.info("api.shutdown.closing_listener")
                self.should_exit = True
        return await super().on_tick(counter)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        # Stop accepting first; uvicorn's shutdown then closes what is idle, by then only the really idle connections.
        for server in self.servers:
            server.close()
        for listener in sockets or []:
            listener.close()
        await asyncio.sleep(self._settle_seconds)
        await super().shutdown(sockets)
