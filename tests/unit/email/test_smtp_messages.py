"""What the SMTP sender hands over (headers, parts, a stable Message-ID) and what each SMTP failure means for the
message (retry or give up). No network here: the conversation itself is in tests/integration/email."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime
from email.message import EmailMessage as MimeMessage
from uuid import UUID

import aiosmtplib
import pytest

from keel.application.email import EmailMessage, PermanentEmailError, TransientEmailError
from keel.infrastructure.email.mime import build_mime_message, message_id_header, sender_domain
from keel.infrastructure.email.smtp import classify

MESSAGE_ID = UUID("0192f0c1-7b7e-7cc0-8a4e-6a1d2c3b4a59")
FROM = "keel <no-reply@mail.example.com>"
SENT_AT = datetime(2026, 11, 22, 9, 30, 15, tzinfo=UTC)


def message(**changes: object) -> EmailMessage:
    fields: dict[str, object] = {
        "message_id": MESSAGE_ID,
        "to": "ann@example.com",
        "subject": "Willkommen, Änne",
        "text": "Hallo Änne,\n\nschön, dass Sie da sind.\n",
        "html": "<p>Hallo Änne,</p>" + "<p>" + "lang " * 40 + "</p>",
    }
    return EmailMessage(**(fields | changes))  # type: ignore[arg-type]


def round_trip(mime: MimeMessage) -> MimeMessage:
    parsed = email.message_from_bytes(mime.as_bytes(), policy=email.policy.default)
    assert isinstance(parsed, MimeMessage)
    return parsed


def test_the_message_carries_the_headers_and_both_parts() -> None:
    mime = round_trip(build_mime_message(message(), from_address=FROM, date=SENT_AT))

    assert mime["From"] == FROM
    assert mime["To"] == "ann@example.com"
    assert mime["Subject"] == "Willkommen, Änne"
    assert mime["Date"] == "Sun, 22 Nov 2026 09:30:15 +0000"
    assert mime["Message-ID"] == f"<{MESSAGE_ID}@mail.example.com>"
    assert mime.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in mime.iter_parts()] == ["text/plain", "text/html"]
    text, html = (part.get_content().replace("\r\n", "\n") for part in mime.iter_parts())  # lines travel as CRLF
    assert text == message().text
    assert html.rstrip("\n") == message().html


def test_the_wire_format_is_ascii_with_crlf_line_endings() -> None:
    wire = build_mime_message(message(), from_address=FROM, date=SENT_AT).as_bytes()

    assert wire.isascii()
    assert b"\r\n" in wire
    assert b"\n" not in wire.replace(b"\r\n", b"")
    assert max(len(line) for line in wire.split(b"\r\n")) <= 998


def test_the_message_id_depends_only_on_the_message_and_the_sender_domain() -> None:
    first = build_mime_message(message(), from_address=FROM, date=SENT_AT)
    resend = build_mime_message(message(subject="Changed"), from_address=FROM, date=datetime.now(UTC))

    assert first["Message-ID"] == resend["Message-ID"] == message_id_header(MESSAGE_ID, FROM)
    assert message_id_header(MESSAGE_ID, "no-reply@other.example") == f"<{MESSAGE_ID}@other.example>"


def test_extra_headers_are_added() -> None:
    mime = build_mime_message(message(headers={"Auto-Submitted": "auto-generated"}), from_address=FROM, date=SENT_AT)

    assert mime["Auto-Submitted"] == "auto-generated"


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"to": "not an address"}, "cannot be written"),
        ({"to": "ann@example.com\r\nBcc: eve@example.com"}, "cannot be written"),
        ({"subject": "Hi\r\nBcc: eve@example.com"}, "cannot be written"),
        ({"headers": {"Bcc": "eve@example.com"}}, "the sender sets Bcc itself"),
        ({"headers": {"message-id": "<forged@example.com>"}}, "the sender sets message-id itself"),
    ],
)
def test_a_message_that_cannot_be_written_is_a_permanent_error(changes: dict[str, object], problem: str) -> None:
    with pytest.raises(PermanentEmailError, match=problem):
        build_mime_message(message(**changes), from_address=FROM, date=SENT_AT)


def test_a_from_address_without_domain_is_refused() -> None:
    assert sender_domain("Keel <no-reply@keel.example>") == "keel.example"
    with pytest.raises(ValueError, match="has no domain"):
        sender_domain("keel")


SERVER = "smtp.example.com:587"


def classified(error: Exception) -> tuple[type[Exception], str]:
    result = classify(error, server=SERVER, timeout_seconds=15)
    return type(result), str(result)


def refused(code: int, text: str) -> aiosmtplib.SMTPRecipientsRefused:
    return aiosmtplib.SMTPRecipientsRefused([aiosmtplib.SMTPRecipientRefused(code, text, "ann@example.com")])


@pytest.mark.parametrize(
    ("error", "kind", "says"),
    [
        (aiosmtplib.SMTPDataError(550, "5.7.1 Message refused"), PermanentEmailError, "refused the message: 550"),
        (aiosmtplib.SMTPDataError(554, "5.6.0 Bad content"), PermanentEmailError, "554"),
        (aiosmtplib.SMTPSenderRefused(553, "not yours", "x@y.z"), PermanentEmailError, "553 not yours"),
        (refused(550, "5.1.1 No such user"), PermanentEmailError, "refused the recipient: ann@example.com: 550"),
        (aiosmtplib.SMTPDataError(451, "4.3.0 Try again later"), TransientEmailError, "did not take the message now"),
        (aiosmtplib.SMTPDataError(421, "4.7.0 Too busy"), TransientEmailError, "421"),
        (refused(450, "4.2.1 Mailbox busy"), TransientEmailError, "did not take the recipient now"),
        (aiosmtplib.SMTPAuthenticationError(535, "5.7.8 Bad credentials"), TransientEmailError, "SMTP_PASSWORD"),
        (aiosmtplib.SMTPConnectResponseError(554, "no service"), TransientEmailError, "refused the connection"),
        (aiosmtplib.SMTPConnectError("Error connecting: refused"), TransientEmailError, "cannot talk to"),
        (aiosmtplib.SMTPServerDisconnected("Connection lost"), TransientEmailError, "Connection lost"),
        (ConnectionRefusedError(111, "Connection refused"), TransientEmailError, "Connection refused"),
        (aiosmtplib.SMTPReadTimeoutError("Timed out"), TransientEmailError, "did not answer within 15 s"),
        (TimeoutError(), TransientEmailError, "did not answer within 15 s"),
        (aiosmtplib.SMTPNotSupported("STARTTLS extension not supported"), TransientEmailError, "STARTTLS"),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else None,
)
def test_each_failure_is_retried_or_given_up_as_its_code_says(
    error: Exception, kind: type[Exception], says: str
) -> None:
    result_kind, text = classified(error)

    assert result_kind is kind
    assert says in text
    assert SERVER in text
