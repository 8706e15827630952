"""A port ``EmailMessage`` as the MIME message the SMTP sender hands over: multipart/alternative, text then HTML.

The ``Message-ID`` is derived from the message id and the domain of the From address, ``<{message_id}@{domain}>``: the
same message always carries the same ``Message-ID``, so a resend after an uncertain attempt is recognisable as one
message by the receiving side.
"""

from __future__ import annotations

import email.policy
from datetime import datetime
from email.errors import MessageError
from email.headerregistry import Address
from email.message import EmailMessage as MimeMessage
from email.utils import format_datetime, parseaddr
from typing import Final
from uuid import UUID

from keel.application.email import EmailMessage, PermanentEmailError

_ADDRESS_HEADERS = ("from", "to", "cc", "bcc", "sender", "return-path")
_MIME_HEADERS = ("mime-version", "content-type", "content-transfer-encoding")
RESERVED_HEADERS: Final = frozenset((*_ADDRESS_HEADERS, "subject", "date", "message-id", *_MIME_HEADERS))
"""Headers the sender sets itself; ``EmailMessage.headers`` may not name them."""


def sender_domain(from_address: str) -> str:
    """The domain of ``"keel <no-reply@keel.example>"`` (``keel.example``); ``ValueError`` when it has none."""
    local, at, domain = parseaddr(from_address)[1].rpartition("@")
    if not (local and at and domain):
        raise ValueError(f"the From address {from_address!r} has no domain")
    return domain


def message_id_header(message_id: UUID, from_address: str) -> str:
    return f"<{message_id}@{sender_domain(from_address)}>"


def build_mime_message(message: EmailMessage, *, from_address: str, date: datetime) -> MimeMessage:
    """The MIME message (CRLF line endings). ``PermanentEmailError`` when the message cannot be written: an invalid
    recipient address, a header with a line break, a header the sender sets itself."""
    reserved = sorted(name for name in message.headers if name.lower() in RESERVED_HEADERS)
    if reserved:
        raise PermanentEmailError(f"message {message.message_id}: the sender sets {', '.join(reserved)} itself")
    try:
        recipient = Address(addr_spec=message.to)
        mime = MimeMessage(policy=email.policy.SMTP)
        mime["From"] = from_address
        mime["To"] = recipient
        mime["Subject"] = message.subject
        mime["Date"] = format_datetime(date)
        mime["Message-ID"] = message_id_header(message.message_id, from_address)
        for name, value in message.headers.items():
            mime[name] = value
        # Quoted-printable keeps the wire 7-bit with short lines, whatever the server's extensions.
        mime.set_content(message.text, cte="quoted-printable")
        mime.add_alternative(message.html, subtype="html", cte="quoted-printable")
    except (ValueError, TypeError, MessageError) as error:
        raise PermanentEmailError(f"message {message.message_id} cannot be written: {error}") from None
    return mime
