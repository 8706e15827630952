"""DeliverEmailUseCase on the real pieces: PostgreSQL records, the shipped templates, SMTP to an aiosmtpd server.

What a recipient receives, what the record says after each kind of failure, and that concurrent deliveries of one
message send it once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from uuid import UUID

import pytest
from email_support import PUBLIC_BASE_URL, MakeUow, MakeUser, email_settings

from fakes.clock import FakeClock
from keel.application.email import (
    DeliverEmailUseCase,
    DeliveryOutcome,
    DeliveryStatus,
    EmailDelivery,
    EmailMessage,
    EmailRequest,
    EmailSender,
    EmailTemplate,
    PermanentEmailError,
    SentEmail,
    TransientEmailError,
)
from keel.domain.ids import uuid7
from keel.domain.users import Preferences, User
from keel.infrastructure.email.rendering import JinjaEmailRenderer
from keel.infrastructure.email.smtp import SmtpEmailSender
from support.network import free_port
from support.smtp import SmtpServer, links_in

pytestmark = pytest.mark.integration

type Deliver = Callable[[EmailRequest], Awaitable[DeliveryOutcome]]


def use_case(uow: MakeUow, sender: EmailSender, clock: FakeClock) -> DeliverEmailUseCase:
    return DeliverEmailUseCase(uow, JinjaEmailRenderer(PUBLIC_BASE_URL), sender, clock, claim_seconds=60)


@pytest.fixture
def deliver(uow: MakeUow, sender: SmtpEmailSender, clock: FakeClock) -> DeliverEmailUseCase:
    return use_case(uow, sender, clock)


def request_to(user: User, template: EmailTemplate = EmailTemplate.WELCOME, **context: str) -> EmailRequest:
    return EmailRequest(
        message_id=uuid7(), template=template, tenant_id=user.tenant_id, recipient_user_id=user.id, context=context
    )


async def record(uow: MakeUow, message_id: UUID) -> EmailDelivery:
    async with uow() as work:
        found = await work.email_deliveries.get(message_id)
    assert found is not None
    return found


async def test_a_user_receives_the_message_in_their_language_with_a_working_link(
    deliver: DeliverEmailUseCase, make_user: MakeUser, smtp_server: SmtpServer, uow: MakeUow, clock: FakeClock
) -> None:
    ann = await make_user("ann", full_name="Änne <Admin>", preferences=Preferences(locale="de-AT"))
    request = request_to(ann, EmailTemplate.PASSWORD_RESET, token="r3s3t/+token")

    outcome = await deliver(request)

    [mail] = smtp_server.received
    message = mail.message
    assert message["From"] == "keel <no-reply@keel.test>"
    assert message["To"] == "ann@example.com"
    assert message["Subject"] == "Setzen Sie Ihr Passwort zurück"
    assert message["Message-ID"] == f"<{request.message_id}@keel.test>"
    assert message["Date"] == "Wed, 01 Jan 2025 12:00:00 +0000"
    link = f"{PUBLIC_BASE_URL}/reset-password?token=r3s3t%2F%2Btoken"
    text, html = mail.part("plain"), mail.part("html")
    assert text.startswith("Hallo Änne <Admin>,")
    assert link in text
    assert "Hallo Änne &lt;Admin&gt;," in html
    assert links_in(html) == [link]
    assert outcome == DeliveryOutcome(
        message_id=request.message_id,
        status=DeliveryStatus.SENT,
        attempts=1,
        provider_message_id=message["Message-ID"],
    )
    stored = await record(uow, request.message_id)
    assert (stored.to_address, stored.locale, stored.sent_at) == ("ann@example.com", "de-AT", clock.now())


async def test_a_delivered_message_is_not_sent_again(
    deliver: DeliverEmailUseCase, make_user: MakeUser, smtp_server: SmtpServer
) -> None:
    request = request_to(await make_user("ann"))

    first = await deliver(request)
    second = await deliver(request)

    assert first == second
    assert len(smtp_server.received) == 1


async def test_a_deferred_message_is_sent_once_on_retry_with_the_same_message_id(
    deliver: DeliverEmailUseCase, make_user: MakeUser, smtp_server: SmtpServer, uow: MakeUow, clock: FakeClock
) -> None:
    request = request_to(await make_user("ann"))
    smtp_server.responder.fail_next(1, "451 4.7.1 Greylisted, try again later")

    with pytest.raises(TransientEmailError, match=r"451 4\.7\.1 Greylisted"):
        await deliver(request)
    deferred = await record(uow, request.message_id)
    clock.advance(minutes=5)
    outcome = await deliver(request)

    assert (deferred.status, deferred.attempts, deferred.claimed_until) == (DeliveryStatus.QUEUED, 1, None)
    assert deferred.last_error is not None
    assert "451 4.7.1 Greylisted" in deferred.last_error
    assert (outcome.status, outcome.attempts) == (DeliveryStatus.SENT, 2)
    [refused], [accepted] = smtp_server.responder.rejected, smtp_server.received
    assert refused.message["Message-ID"] == accepted.message["Message-ID"] == f"<{request.message_id}@keel.test>"
    assert (await record(uow, request.message_id)).last_error is None


@pytest.mark.parametrize("refuse", ["message", "recipient"])
async def test_a_refused_message_fails_for_good(
    deliver: DeliverEmailUseCase, make_user: MakeUser, smtp_server: SmtpServer, uow: MakeUow, refuse: str
) -> None:
    request = request_to(await make_user("ann"))
    if refuse == "message":
        smtp_server.responder.fail_always("554 5.7.1 Rejected by policy")
    else:
        smtp_server.responder.refuse_recipients("550 5.1.1 Mailbox unavailable")

    with pytest.raises(PermanentEmailError, match=r"55[04] 5\."):
        await deliver(request)
    later = await deliver(request)

    assert (later.status, later.attempts) == (DeliveryStatus.FAILED, 1)
    failed = await record(uow, request.message_id)
    assert failed.last_error is not None
    assert "refused the" in failed.last_error
    assert smtp_server.received == []
    assert smtp_server.responder.data_commands == (1 if refuse == "message" else 0)


async def test_an_unreachable_server_leaves_the_message_queued_for_a_retry(
    uow: MakeUow, make_user: MakeUser, clock: FakeClock
) -> None:
    port = free_port()
    deliver = use_case(uow, SmtpEmailSender(email_settings("127.0.0.1", port), clock), clock)
    request = request_to(await make_user("ann"))

    with pytest.raises(TransientEmailError, match=f"127.0.0.1:{port}"):
        await deliver(request)

    queued = await record(uow, request.message_id)
    assert (queued.status, queued.attempts, queued.claimed_until) == (DeliveryStatus.QUEUED, 1, None)
    assert queued.last_error is not None
    assert f"cannot talk to the SMTP server 127.0.0.1:{port}" in queued.last_error


async def test_a_deleted_recipient_fails_without_a_word_to_the_server(
    deliver: DeliverEmailUseCase, make_user: MakeUser, smtp_server: SmtpServer, uow: MakeUow, clock: FakeClock
) -> None:
    gone = await make_user("gone", deleted_at=clock.now())
    request = request_to(gone)

    with pytest.raises(PermanentEmailError, match="or was deleted"):
        await deliver(request)

    failed = await record(uow, request.message_id)
    assert (failed.status, failed.attempts, failed.to_address) == (DeliveryStatus.FAILED, 0, None)
    assert smtp_server.responder.data_commands == 0


class HeldSender:
    """Our sender port over the real SMTP sender, holding each message until ``release`` is set."""

    def __init__(self, inner: SmtpEmailSender) -> None:
        self.inner = inner
        self.sending = asyncio.Event()
        self.release = asyncio.Event()

    async def send(self, message: EmailMessage) -> SentEmail:
        self.sending.set()
        await self.release.wait()
        return await self.inner.send(message)


async def test_a_delivery_while_another_is_sending_the_message_leaves_it_alone(
    uow: MakeUow, sender: SmtpEmailSender, make_user: MakeUser, smtp_server: SmtpServer, clock: FakeClock
) -> None:
    held = HeldSender(sender)
    deliver = use_case(uow, held, clock)
    request = request_to(await make_user("ann"))

    first = asyncio.create_task(deliver(request))
    await held.sending.wait()  # the first attempt is counted, committed, and on the wire
    with pytest.raises(TransientEmailError, match="claimed by another attempt"):
        await deliver(request)
    held.release.set()
    outcome = await first

    assert (outcome.status, outcome.attempts) == (DeliveryStatus.SENT, 1)
    assert await deliver(request) == outcome
    assert len(smtp_server.received) == 1


@pytest.mark.parametrize("record_exists", [False, True], ids=["first-attempts", "retries"])
async def test_concurrent_deliveries_of_one_message_send_it_once(
    uow: MakeUow,
    sender: SmtpEmailSender,
    make_user: MakeUser,
    smtp_server: SmtpServer,
    clock: FakeClock,
    *,
    record_exists: bool,
) -> None:
    deliver = use_case(uow, sender, clock)
    requests = [request_to(await make_user(f"user{index}")) for index in range(4)]
    if record_exists:  # each message was deferred once: its record exists, queued and unclaimed
        smtp_server.responder.fail_next(len(requests))
        for request in requests:
            with pytest.raises(TransientEmailError):
                await deliver(request)

    # Three deliveries of each message start at once. New records meet on the primary key (the second insert waits
    # for the first transaction); existing ones on the row lock of get_for_update.
    results = await asyncio.gather(
        *(deliver(request) for request in requests for _ in range(3)), return_exceptions=True
    )

    attempts = 2 if record_exists else 1
    received = sorted(str(mail.message["To"]) for mail in smtp_server.received)
    assert received == sorted(f"user{index}@example.com" for index in range(4))
    for request in requests:
        stored = await record(uow, request.message_id)
        assert (stored.status, stored.attempts) == (DeliveryStatus.SENT, attempts)
    for result in results:
        if isinstance(result, BaseException):
            assert isinstance(result, TransientEmailError), result
            assert "claimed by another attempt" in str(result)
        else:
            assert (result.status, result.attempts) == (DeliveryStatus.SENT, attempts)
