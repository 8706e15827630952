"""Scenario 6 of the suite's list — SIGTERM to the API process while it serves a load.

Every request opens its own connection, so "new connections" is what the load does all along. Some sign-ups are in
flight at the signal (headers and half the body sent); they are finished only once the listener is closed. What must
hold: readiness answers 503 first while everything else is still served; only then are new connections refused; the
requests in flight all complete; the process exits, by the signal, within its drain delay and grace period.
"""

from __future__ import annotations

import asyncio
import json
import signal
import time
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from support.api import PASSWORD
from support.http_load import LoadReport, run_load
from support.private_api import PrivateStack, private_stack, sign_up
from support.resilience import Figures, RecordFigures

# Each module starts its own PostgreSQL, Redis and `keel serve`: slow to start on a loaded machine.
pytestmark = [pytest.mark.resilience, pytest.mark.timeout(300)]

DRAIN_DELAY_SECONDS = 1.5
GRACE_SECONDS = 5.0
SETTINGS = {
    "API__SHUTDOWN_DRAIN_DELAY_SECONDS": str(DRAIN_DELAY_SECONDS),
    "API__SHUTDOWN_GRACE_SECONDS": str(GRACE_SECONDS),
}
CONCURRENCY = 8
WARM_SECONDS = 1.0
IN_FLIGHT = 4
REFUSED = "ConnectError"
RESET = "ReadError"  # a connection still in the kernel's accept queue when the listener closed: reset, never accepted


@pytest.fixture(scope="module")
async def stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[PrivateStack]:
    directory: Path = tmp_path_factory.mktemp("shutdown")
    async with private_stack(directory, SETTINGS) as stack:
        yield stack


def _sign_up_body(number: int) -> bytes:
    slug = f"in-flight-{number}"
    owner = {"email": f"owner@{slug}.example", "username": "owner", "password": PASSWORD}
    return json.dumps({"slug": slug, "name": slug, "owner": owner}).encode()


async def _start_sign_up(port: int, body: bytes) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A sign-up whose headers and first half of the body are sent: in flight until the rest follows."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = (
        "POST /api/v1/tenants HTTP/1.1\r\nHost: keel.test\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    writer.write(head + body[: len(body) // 2])
    await writer.drain()
    return reader, writer


async def _finish_sign_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, body: bytes) -> int | None:
    """The status of the sign-up once its body is complete; ``None`` if the connection was cut without an answer."""
    try:
        writer.write(body[len(body) // 2 :])
        await writer.drain()
        status_line = await reader.readline()
    except ConnectionError:
        return None
    finally:
        writer.close()
    return int(status_line.split(b" ", 2)[1]) if status_line.startswith(b"HTTP/1.1 ") else None


async def test_sigterm_turns_readiness_first_refuses_new_connections_then_and_finishes_what_is_in_flight(
    stack: PrivateStack, resilience_figures: RecordFigures
) -> None:
    process = stack.api.process
    assert process is not None
    fresh_connections = httpx.Limits(max_connections=CONCURRENCY + 2, max_keepalive_connections=0)
    async with stack.client(timeout=30, limits=fresh_connections) as client:
        owner = await sign_up(client, "shutdown")

        def read(_: int) -> httpx.Request:
            return client.build_request("GET", "/api/v1/users/me", headers=owner.headers)

        def readiness(_: int) -> httpx.Request:
            return client.build_request("GET", "/health/ready")

        stop = asyncio.Event()
        report, probes = LoadReport(), LoadReport()
        load = asyncio.create_task(run_load(client, read, concurrency=CONCURRENCY, until=stop, report=report))
        probing = asyncio.create_task(run_load(client, readiness, concurrency=1, until=stop, report=probes))
        try:
            await asyncio.sleep(WARM_SECONDS)
            bodies = [_sign_up_body(number) for number in range(IN_FLIGHT)]
            in_flight = [await _start_sign_up(stack.api.port, body) for body in bodies]
            signalled_at = time.monotonic()
            process.send_signal(signal.SIGTERM)

            while not any(o.error == REFUSED for o in report.outcomes):  # until the listener is closed
                assert process.poll() is None, "the process exited before its listener closed"
                await asyncio.sleep(0.02)
            finished = [
                await _finish_sign_up(reader, writer, body)
                for (reader, writer), body in zip(in_flight, bodies, strict=True)
            ]
            await asyncio.sleep(0.2)  # a few more refusals, for the record
        finally:
            stop.set()
            await asyncio.gather(load, probing)
        exit_code = await asyncio.to_thread(process.wait, DRAIN_DELAY_SECONDS + GRACE_SECONDS + 30)
        exited_after = time.monotonic() - signalled_at

    log = stack.api.log_events()
    events = [event["event"] for event in log]
    closing = next(e["timestamp"] for e in log if e["event"] == "api.shutdown.closing_listener")
    listener_closed_at = datetime.fromisoformat(closing).timestamp() - (time.time() - time.monotonic())
    for o in report.outcomes:
        if o.error == RESET:
            assert listener_closed_at <= o.answered_at, "a request was cut before the listener closed"
    refused = [o for o in report.outcomes + probes.outcomes if o.error in {REFUSED, RESET}]
    first_not_ready = min(o.answered_at for o in probes.outcomes if o.status == 503)
    first_refused = min(o.sent_at for o in refused if o.error == REFUSED)
    served_while_draining = [o for o in report.outcomes if o.status == 200 and o.sent_at > first_not_ready]
    # Readiness turned 503 first, while requests were still served; only then were connections refused.
    assert first_not_ready < first_refused
    assert first_not_ready < listener_closed_at
    assert served_while_draining
    assert {o.status for o in probes.outcomes if signalled_at < o.sent_at and o.status is not None} == {503}
    # Every request was answered 200 or refused (at connect, or reset unaccepted): none was cut, none failed.
    assert report.statuses().keys() <= {200, REFUSED, RESET}, report.statuses()
    assert all(o.error in {REFUSED, RESET} for o in report.outcomes if o.sent_at > first_refused)
    # The sign-ups in flight at the signal completed, after the listener had closed.
    assert finished == [201] * IN_FLIGHT
    # The process ended by the signal (re-raised once shut down), within its drain delay and grace period.
    assert exit_code == -signal.SIGTERM
    assert exited_after <= DRAIN_DELAY_SECONDS + GRACE_SECONDS
    assert events.index("api.shutdown.draining") < events.index("api.shutdown.closing_listener")
    assert events.index("api.shutdown.closing_listener") < events.index("database.engine.stopped")

    refused_load = [o for o in report.outcomes if o.error in {REFUSED, RESET}]
    resets = sum(1 for o in refused_load if o.error == RESET)
    resilience_figures(
        Figures(
            scenario="6. SIGTERM to the API under load",
            sent=report.sent + IN_FLIGHT,
            ok=report.ok + finished.count(201),
            client_errors=report.client_errors,
            server_errors=report.server_errors,
            lost=len(report.unanswered) - len(refused_load) + IN_FLIGHT - finished.count(201),
            notes=(
                f"{len(served_while_draining)} served while draining; {len(refused_load)} refused after readiness 503 "
                f"({resets} of them reset in the accept queue); {IN_FLIGHT} in-flight sign-ups 201; "
                f"exited in {exited_after:.1f} s "
                f"(drain {DRAIN_DELAY_SECONDS:g} s + grace {GRACE_SECONDS:g} s)"
            ),
        )
    )
