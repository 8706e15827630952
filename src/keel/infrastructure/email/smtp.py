"""The ``EmailSender`` over SMTP (aiosmtplib): one connection per message, TLS and login as the settings say.

What a failure means for the message (``classify``):

* the server cannot be reached, drops the connection, refuses the connection at its greeting, or does not answer
  within ``timeout_seconds`` -> ``TransientEmailError``;
* an SMTP reply 4xx (greylisting, mailbox busy, too many messages) -> ``TransientEmailError``;
* an SMTP reply 5xx to the message or its recipient -> ``PermanentEmailError``;
* the server refuses the login (535) or lacks what the settings require (STARTTLS, AUTH) ->
  ``TransientEmailError``: that is the configuration's fault, not the message's, and once the configuration is fixed
  the retries go through; failing the message for good would lose it.
"""

from __future__ import annotations

import asyncio

import aiosmtplib

from keel.application.email import (
    EmailDeliveryError,
    EmailMessage,
    PermanentEmailError,
    SentEmail,
    TransientEmailError,
)
from keel.application.ports import Clock
from keel.infrastructure.email.mime import build_mime_message, sender_domain
from keel.settings import EmailSettings


class SmtpEmailSender:
    def __init__(self, settings: EmailSettings, clock: Clock) -> None:
        sender_domain(settings.from_address)  # fail at start-up, not at the first message
        self._settings = settings
        self._clock = clock

    @property
    def server(self) -> str:
        return f"{self._settings.smtp_host}:{self._settings.smtp_port}"

    async def send(self, message: EmailMessage) -> SentEmail:
        settings = self._settings
        mime = build_mime_message(message, from_address=settings.from_address, date=self._clock.now())
        password = settings.smtp_password.get_secret_value() if settings.smtp_password is not None else None
        try:
            async with asyncio.timeout(settings.timeout_seconds):
                await aiosmtplib.send(
                    mime,
                    hostname=settings.smtp_host,
                    port=settings.smtp_port,
                    username=settings.smtp_username,
                    password=password,
                    use_tls=settings.use_tls,
                    start_tls=settings.start_tls,
                    timeout=settings.timeout_seconds,
                )
        except (aiosmtplib.SMTPException, OSError) as error:  # TimeoutError is an OSError
            raise classify(error, server=self.server, timeout_seconds=settings.timeout_seconds) from error
        return SentEmail(provider_message_id=str(mime["Message-ID"]))


def classify(error: Exception, *, server: str, timeout_seconds: float) -> EmailDeliveryError:
    """The port's error for a failed SMTP conversation with ``server`` (see the module for the rules)."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused) and error.recipients:
        replies = "; ".join(f"{refusal.recipient}: {_reply(refusal)}" for refusal in error.recipients)
        if all(_is_permanent(refusal.code) for refusal in error.recipients):
            return PermanentEmailError(f"{server} refused the recipient: {replies}")
        return TransientEmailError(f"{server} did not take the recipient now: {replies}")
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return _refusal(error, server)
    if isinstance(error, TimeoutError):
        return TransientEmailError(f"{server} did not answer within {timeout_seconds:g} s")
    if isinstance(error, aiosmtplib.SMTPNotSupported):
        return TransientEmailError(f"{server} does not support what the email settings require: {error}")
    return TransientEmailError(f"cannot talk to the SMTP server {server}: {error or type(error).__name__}")


def _refusal(error: aiosmtplib.SMTPResponseException, server: str) -> EmailDeliveryError:
    if isinstance(error, aiosmtplib.SMTPAuthenticationError):
        return TransientEmailError(
            f"{server} refused the SMTP login ({_reply(error)}); check KEEL_EMAIL__SMTP_USERNAME and "
            "KEEL_EMAIL__SMTP_PASSWORD"
        )
    if isinstance(error, aiosmtplib.SMTPConnectResponseError):
        return TransientEmailError(f"{server} refused the connection: {_reply(error)}")
    if _is_permanent(error.code):
        return PermanentEmailError(f"{server} refused the message: {_reply(error)}")
    return TransientEmailError(f"{server} did not take the message now: {_reply(error)}")


def _is_permanent(code: int) -> bool:
    return 500 <= code < 600


def _reply(error: aiosmtplib.SMTPResponseException) -> str:
    return f"{error.code} {error.message}".strip()
