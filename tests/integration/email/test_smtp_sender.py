"""The SMTP sender against a real SMTP server (aiosmtpd): what arrives, and what each way of failing raises."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from email.utils import parsedate_to_datetime

import pytest
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from email_support import FROM_ADDRESS, email_settings

from fakes.clock import FakeClock
from keel.application.email import EmailMessage, PermanentEmailError, TransientEmailError
from keel.domain.ids import uuid7
from keel.infrastructure.email.smtp import SmtpEmailSender
from support.network import free_port
from support.smtp import SmtpServer, running_smtp_server

pytestmark = pytest.mark.integration


def welcome(to: str = "ann@example.com") -> EmailMessage:
    return EmailMessage(
        message_id=uuid7(),
        to=to,
        subject="Willkommen, Änne",
        text="Hallo Änne,\n\nhttps://app.keel.test/sign-in\n",
        html='<p>Hallo Änne,</p><p><a href="https://app.keel.test/sign-in">Anmelden</a></p>',
    )


async def test_the_server_receives_both_parts_and_the_headers(
    sender: SmtpEmailSender, smtp_server: SmtpServer, clock: FakeClock
) -> None:
    message = welcome()

    sent = await sender.send(message)

    [mail] = smtp_server.received
    assert (mail.envelope_from, mail.envelope_to) == ("no-reply@keel.test", ("ann@example.com",))
    headers = mail.message
    assert headers["From"] == FROM_ADDRESS
    assert headers["To"] == "ann@example.com"
    assert headers["Subject"] == "Willkommen, Änne"
    assert headers["Message-ID"] == sent.provider_message_id == f"<{message.message_id}@keel.test>"
    assert parsedate_to_datetime(headers["Date"]) == clock.now()
    assert mail.part("plain").replace("\r\n", "\n") == message.text
    assert mail.part("html").strip() == message.html


async def test_a_resent_message_keeps_its_message_id(
    sender: SmtpEmailSender, smtp_server: SmtpServer, clock: FakeClock
) -> None:
    message = welcome()

    first = await sender.send(message)
    clock.advance(minutes=10)
    second = await sender.send(message)

    assert first == second
    assert [mail.message["Message-ID"] for mail in smtp_server.received] == [first.provider_message_id] * 2
    assert [mail.message["Date"] for mail in smtp_server.received] == [
        "Wed, 01 Jan 2025 12:00:00 +0000",
        "Wed, 01 Jan 2025 12:10:00 +0000",
    ]


@pytest.mark.parametrize(
    ("reply", "error", "says"),
    [
        ("550 5.7.1 Message refused", PermanentEmailError, "refused the message: 550 5.7.1 Message refused"),
        ("554 5.6.0 Content rejected", PermanentEmailError, "554 5.6.0 Content rejected"),
        ("451 4.3.0 Try again later", TransientEmailError, "did not take the message now: 451 4.3.0"),
        ("452 4.3.1 Insufficient storage", TransientEmailError, "452 4.3.1"),
    ],
)
async def test_a_refused_message_raises_as_the_reply_code_says(
    sender: SmtpEmailSender, smtp_server: SmtpServer, reply: str, error: type[Exception], says: str
) -> None:
    smtp_server.responder.fail_always(reply)

    with pytest.raises(error, match=says):
        await sender.send(welcome())
    assert smtp_server.received == []


@pytest.mark.parametrize(
    ("reply", "error"),
    [("550 5.1.1 No such user", PermanentEmailError), ("450 4.2.1 Mailbox busy", TransientEmailError)],
)
async def test_a_refused_recipient_raises_as_the_reply_code_says(
    sender: SmtpEmailSender, smtp_server: SmtpServer, reply: str, error: type[Exception]
) -> None:
    smtp_server.responder.refuse_recipients(reply)

    with pytest.raises(error, match=f"ann@example.com: {reply}"):
        await sender.send(welcome())
    assert smtp_server.responder.data_commands == 0


async def test_a_server_that_is_not_there_is_a_transient_error(clock: FakeClock) -> None:
    port = free_port()
    sender = SmtpEmailSender(email_settings("127.0.0.1", port), clock)

    with pytest.raises(TransientEmailError, match=f"cannot talk to the SMTP server 127.0.0.1:{port}"):
        await sender.send(welcome())


@pytest.fixture
async def silent_server() -> AsyncIterator[int]:
    """A port that accepts connections and never says a word."""
    connections: list[asyncio.StreamWriter] = []

    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(writer)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    for writer in connections:
        writer.close()
    server.close()
    await server.wait_closed()


async def test_a_server_that_never_answers_is_a_transient_error(silent_server: int, clock: FakeClock) -> None:
    sender = SmtpEmailSender(email_settings("127.0.0.1", silent_server, timeout_seconds=0.3), clock)

    with pytest.raises(TransientEmailError, match=r"did not answer within 0\.3 s"):
        await sender.send(welcome())


def only_ada(logins: list[bytes]) -> Callable[..., AuthResult]:
    """An aiosmtpd authenticator accepting ada/s3cret, recording each login it is asked to check."""

    def authenticate(server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: object) -> AuthResult:
        assert isinstance(data, LoginPassword)
        logins.append(data.login)
        return AuthResult(success=(data.login, data.password) == (b"ada", b"s3cret"), handled=False)

    return authenticate


async def test_the_sender_logs_in_with_the_configured_credentials(clock: FakeClock) -> None:
    logins: list[bytes] = []
    with running_smtp_server(authenticator=only_ada(logins), auth_require_tls=False) as server:
        settings = email_settings(server.host, server.port, smtp_username="ada", smtp_password="s3cret")
        await SmtpEmailSender(settings, clock).send(welcome())

    assert logins == [b"ada"]
    assert len(server.received) == 1


async def test_a_refused_login_is_a_transient_error(clock: FakeClock) -> None:
    logins: list[bytes] = []
    with running_smtp_server(authenticator=only_ada(logins), auth_require_tls=False) as server:
        settings = email_settings(server.host, server.port, smtp_username="ada", smtp_password="wrong")
        with pytest.raises(TransientEmailError, match=r"refused the SMTP login \(535 .*\); check"):
            await SmtpEmailSender(settings, clock).send(welcome())

    assert b"ada" in logins
    assert server.received == []
