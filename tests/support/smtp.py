"""A real SMTP server for tests: aiosmtpd on a free loopback port, keeping what it accepts and answering as scripted.

```python
async def test_x(smtp_server: SmtpServer) -> None:
    smtp_server.responder.fail_next(2, "451 4.3.0 Try again later")   # the next two messages are deferred
    smtp_server.responder.fail_always("550 5.7.1 Refused")            # or: every message is refused
    smtp_server.responder.refuse_recipients("550 5.1.1 No such user") # or: every recipient is refused
    smtp_server.responder.accept_again()                               # and back to accepting everything
    ...
    [mail] = smtp_server.received                                      # parsed messages, with their envelope
```

The server runs in its own thread (aiosmtpd's ``Controller``); the scripted replies are read there.
"""

from __future__ import annotations

import email
import email.policy
import logging
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from html.parser import HTMLParser
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from support.network import free_port

ACCEPTED = "250 2.0.0 Message accepted for delivery"


@dataclass(frozen=True)
class ReceivedMail:
    envelope_from: str
    envelope_to: tuple[str, ...]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed

    def part(self, subtype: str) -> str:
        """The decoded ``text/<subtype>`` part."""
        body = self.message.get_body(preferencelist=(subtype,))
        assert body is not None, f"no text/{subtype} part"
        assert body.get_content_type() == f"text/{subtype}"
        content = body.get_content()
        assert isinstance(content, str)
        return content


@dataclass
class Responder:
    """The aiosmtpd handler: accepts into ``received`` unless a scripted reply says otherwise."""

    received: list[ReceivedMail] = field(default_factory=list)
    rejected: list[ReceivedMail] = field(default_factory=list)
    """Messages answered at DATA with a scripted failure (what the client tried to send)."""
    data_commands: int = 0
    _next_replies: deque[str] = field(default_factory=deque)
    _every_reply: str | None = None
    _recipient_reply: str | None = None

    def fail_next(self, count: int, reply: str = "451 4.3.0 Try again later") -> None:
        """Answer the next ``count`` messages (at DATA) with ``reply`` instead of accepting them."""
        self._next_replies.extend([reply] * count)

    def fail_always(self, reply: str = "550 5.7.1 Message refused") -> None:
        """Answer every message (at DATA) with ``reply``."""
        self._every_reply = reply

    def accept_again(self) -> None:
        """Forget the scripted failures: accept every message from now on (the server recovered)."""
        self._next_replies.clear()
        self._every_reply = None
        self._recipient_reply = None

    def refuse_recipients(self, reply: str = "550 5.1.1 No such user") -> None:
        """Answer every RCPT TO with ``reply``."""
        self._recipient_reply = reply

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if self._recipient_reply is not None:
            return self._recipient_reply
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.data_commands += 1
        mail = ReceivedMail(envelope.mail_from or "", tuple(envelope.rcpt_tos), envelope.original_content or b"")
        reply = self._every_reply or (self._next_replies.popleft() if self._next_replies else None)
        if reply is not None:
            self.rejected.append(mail)
            return reply
        self.received.append(mail)
        return ACCEPTED


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    responder: Responder

    @property
    def received(self) -> list[ReceivedMail]:
        return self.responder.received


@contextmanager
def running_smtp_server(**server_options: Any) -> Iterator[SmtpServer]:
    """An SMTP server on a free port for the block; ``server_options`` go to aiosmtpd's ``SMTP`` (e.g. an
    ``authenticator``)."""
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd narrates every connection at INFO
    host, port = "127.0.0.1", free_port()
    responder = Responder()
    controller = Controller(responder, hostname=host, port=port, ready_timeout=10, **server_options)
    controller.start()
    try:
        yield SmtpServer(host, port, responder)
    finally:
        controller.stop()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A fresh SMTP server for the test, stopped after it."""
    with running_smtp_server() as server:
        yield server


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs.extend(value for name, value in attrs if name == "href" and value is not None)


def links_in(html: str) -> list[str]:
    """The ``href`` of every ``<a>`` of ``html``, with entities decoded (as a mail client follows them)."""
    parser = _Links()
    parser.feed(html)
    parser.close()
    return parser.hrefs
