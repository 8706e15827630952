"""``DrainingServer`` answers a request whose connection was accepted just before the listener closed.

uvicorn alone counts such a connection as idle (no request read yet) and closes it with the listener: the client,
which has sent its request, gets no answer. The server runs in a thread of its own here, so uvicorn installs no signal
handlers in the test process; ``handle_exit`` is what its SIGTERM handler would call.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator

import pytest
import uvicorn
from starlette.types import Receive, Scope, Send

from keel.presentation.api.lifecycle import DrainingServer, ShutdownState
from support.network import free_port
from support.waiting import wait_until

pytestmark = pytest.mark.integration

SETTLE_SECONDS = 2.0  # generous: the client below needs only a few milliseconds of it


async def _hello(scope: Scope, receive: Receive, send: Send) -> None:
    assert scope["type"] == "http"
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"hello"})


@pytest.fixture
async def server() -> AsyncIterator[DrainingServer]:
    config = uvicorn.Config(_hello, host="127.0.0.1", port=free_port(), lifespan="off", log_config=None)
    server = DrainingServer(config, state=ShutdownState(), drain_delay_seconds=0.0, settle_seconds=SETTLE_SECONDS)
    running = asyncio.create_task(asyncio.to_thread(server.run))

    async def started() -> bool:
        return server.started

    await wait_until(started, within=10, what="the server starts")
    yield server
    server.should_exit = server.force_exit = True
    await running


async def _refused(port: int) -> bool:
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
    except ConnectionRefusedError:
        return True
    writer.close()
    return False


async def test_a_connection_accepted_before_the_listener_closed_is_answered(server: DrainingServer) -> None:
    port = server.config.port
    reader, writer = await asyncio.open_connection("127.0.0.1", port)  # accepted; its request not sent yet

    async def accepted() -> bool:
        return len(server.server_state.connections) == 1

    await wait_until(accepted, within=5, what="the server accepts the connection")
    server.handle_exit(signal.SIGTERM, None)
    await wait_until(lambda: _refused(port), within=10, what="the listener closes")

    writer.write(b"GET / HTTP/1.1\r\nHost: keel.test\r\n\r\n")
    await writer.drain()
    status_line = await reader.readline()
    writer.close()

    assert status_line == b"HTTP/1.1 200 OK\r\n"
