"""The local stack's SMTP sink (``python -m keel.devstack.smtp_sink``) keeps what keel's SMTP sender sends: one
``.eml`` file per message, readable by a mail client, with the envelope on top."""

from __future__ import annotations

import email
import email.policy
import subprocess
import sys
import time
from collections.abc import Iterator
from email.message import EmailMessage as MimeMessage
from pathlib import Path

import pytest

from fakes.clock import FakeClock
from keel.application.email import EmailMessage, EmailTemplate
from keel.devstack.probes import smtp_greets
from keel.domain.ids import uuid7
from keel.infrastructure.email.rendering import JinjaEmailRenderer
from keel.infrastructure.email.smtp import SmtpEmailSender
from keel.settings import EmailSettings
from support.network import free_port
from support.smtp import links_in

pytestmark = pytest.mark.integration

READY_DEADLINE_SECONDS = 20.0


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """The sink as the stack runs it, on a free port, writing into ``tmp_path/mail``; stopped after the test."""
    port, folder = free_port(), tmp_path / "mail"
    command = [sys.executable, "-m", "keel.devstack.smtp_sink", "--port", str(port), "--dir", str(folder)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + READY_DEADLINE_SECONDS
        while not smtp_greets("127.0.0.1", port):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the SMTP sink did not start: {process.communicate()[1].decode(errors='replace')}")
            time.sleep(0.05)
        yield port, folder
    finally:
        process.terminate()
        process.wait(timeout=10)


async def test_a_rendered_message_lands_in_the_mail_folder(sink: tuple[int, Path]) -> None:
    port, folder = sink
    settings = EmailSettings(smtp_port=port, public_base_url="http://127.0.0.1:8000")
    rendered = JinjaEmailRenderer(settings.public_base_url).render(
        EmailTemplate.VERIFY_EMAIL,
        "de",
        {"recipient_name": "Ada", "recipient_email": "ada@example.com", "token": "tok en"},
    )
    message = EmailMessage(
        message_id=uuid7(), to="ada@example.com", subject=rendered.subject, text=rendered.text, html=rendered.html
    )

    sent = await SmtpEmailSender(settings, FakeClock()).send(message)

    [stored] = list(folder.glob("*.eml"))  # written before the sink answered 250
    parsed = email.message_from_bytes(stored.read_bytes(), policy=email.policy.default)
    assert isinstance(parsed, MimeMessage)
    assert parsed["X-Keel-Envelope-From"] == "no-reply@keel.localhost"
    assert parsed["X-Keel-Envelope-To"] == "ada@example.com"
    assert parsed["Message-ID"] == sent.provider_message_id == f"<{message.message_id}@keel.localhost>"
    assert parsed["Subject"] == "Bestätigen Sie Ihre E-Mail-Adresse"
    text, html = parsed.get_body(("plain",)), parsed.get_body(("html",))
    assert text is not None
    assert html is not None
    assert text.get_content().replace("\r\n", "\n") == rendered.text
    assert links_in(html.get_content()) == ["http://127.0.0.1:8000/verify-email?token=tok%20en"]
