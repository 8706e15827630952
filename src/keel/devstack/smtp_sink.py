"""SMTP sink: accepts every message and stores it as an ``.eml`` file; nothing is ever delivered.

Run as a child of the stack: ``python -m keel.devstack.smtp_sink --port 1025 --dir .keel/mail``. Open the files with
any mail client, or read them in tests. Two headers are added on top: ``X-Keel-Envelope-From`` and
``X-Keel-Envelope-To`` (the SMTP envelope, which shows Bcc recipients).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from keel.devstack.ports import LOOPBACK, PortClaim
from keel.devstack.probes import smtp_greets
from keel.devstack.service import ServiceDefinition

if TYPE_CHECKING:
    from aiosmtpd.smtp import SMTP, Envelope, Session

    from keel.devstack.state import StateLayout


def message_file_name(received_at: datetime, token: str) -> str:
    """``<UTC time, sortable>-<token>.eml``: files list in arrival order and never collide."""
    return f"{received_at.astimezone(UTC):%Y%m%dT%H%M%S.%fZ}-{token}.eml"


def store_message(folder: Path, envelope_from: str, envelope_to: list[str], content: bytes) -> Path:
    """Write one message atomically (readers never see half a file) and return its path."""
    path = folder / message_file_name(datetime.now(UTC), secrets.token_hex(4))
    envelope = f"X-Keel-Envelope-From: {envelope_from}\r\nX-Keel-Envelope-To: {', '.join(envelope_to)}\r\n"
    partial = path.with_suffix(".part")
    partial.write_bytes(envelope.encode() + content)
    os.replace(partial, path)
    return path


class MailFolderHandler:
    """aiosmtpd handler storing each message under ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        path = store_message(self.folder, envelope.mail_from or "", list(envelope.rcpt_tos), content)
        print(f"stored {path.name} from {envelope.mail_from} to {', '.join(envelope.rcpt_tos)}", flush=True)
        return "250 Message accepted for delivery"


async def serve(host: str, port: int, folder: Path) -> None:
    from aiosmtpd.smtp import SMTP

    handler = MailFolderHandler(folder)
    loop = asyncio.get_running_loop()
    stopped = asyncio.Event()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signal_number, stopped.set)
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="keel-smtp-sink", ident="keel SMTP sink", enable_SMTPUTF8=True),
        host=host,
        port=port,
    )
    print(f"SMTP sink listening on {host}:{port}, storing messages in {folder}", flush=True)
    await stopped.wait()
    server.close()  # open sessions end with the process; waiting for them could hang on an idle client
    print("SMTP sink stopped", flush=True)


def smtp_sink_service(layout: StateLayout, port: int) -> ServiceDefinition:
    command = (sys.executable, "-m", "keel.devstack.smtp_sink", "--port", str(port), "--dir", str(layout.mail))
    return ServiceDefinition(
        name="smtp",
        command=command,
        probe=lambda: smtp_greets(LOOPBACK, port),
        ports=(PortClaim("smtp sink", LOOPBACK, port, "KEEL_DEV__SMTP_PORT"),),
        independent=True,
        ready_timeout=20.0,
    )


def main(arguments: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m keel.devstack.smtp_sink", description=__doc__)
    parser.add_argument("--host", default=LOOPBACK, help="interface to listen on (default %(default)s)")
    parser.add_argument("--port", type=int, default=1025, help="port to listen on (default %(default)s)")
    parser.add_argument("--dir", type=Path, required=True, help="folder receiving one .eml file per message")
    options = parser.parse_args(arguments)
    options.dir.mkdir(parents=True, exist_ok=True)
    asyncio.run(serve(options.host, options.port, options.dir))


if __name__ == "__main__":
    main()
