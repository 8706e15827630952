"""DeliverEmailUseCase over the in-memory database: one record per message id, each attempt counted before it sends,
a sent or failed message never sent again, and a clear reason for every message that cannot be sent."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from uuid import UUID

import pytest

from fakes.email import RecordingEmailRenderer, ScriptedEmailSender
from fakes.world import World
from keel.application.email import (
    DeliverEmailUseCase,
    DeliveryOutcome,
    DeliveryStatus,
    EmailDelivery,
    EmailRequest,
    EmailTemplate,
    PermanentEmailError,
    TransientEmailError,
)
from keel.application.email.delivery import MAX_ERROR_LENGTH
from keel.domain.ids import uuid7
from keel.domain.tenants import Tenant
from keel.domain.users import Preferences, User

CLAIM_SECONDS = 60.0


class Mail:
    """The use case wired to the world's fakes."""

    def __init__(self, world: World, sender: ScriptedEmailSender | None = None) -> None:
        self.world = world
        self.renderer = RecordingEmailRenderer()
        self.sender = sender or ScriptedEmailSender()
        self.deliver = DeliverEmailUseCase(
            world.uow, self.renderer, self.sender, world.clock, claim_seconds=CLAIM_SECONDS
        )

    def record(self, message_id: UUID) -> EmailDelivery:
        return self.world.db.email_deliveries[message_id]


@pytest.fixture
def mail(world: World) -> Mail:
    return Mail(world)


@pytest.fixture
def tenant(world: World) -> Tenant:
    return world.tenant()


@pytest.fixture
def ann(world: World, tenant: Tenant) -> User:
    return world.user(tenant, "ann", full_name="Ann Example", preferences=Preferences(locale="de-AT"))


def to_user(user: User, template: EmailTemplate = EmailTemplate.WELCOME, **context: str) -> EmailRequest:
    return EmailRequest(
        message_id=uuid7(), template=template, tenant_id=user.tenant_id, recipient_user_id=user.id, context=context
    )


async def test_a_message_to_a_user_is_rendered_in_their_locale_sent_and_recorded(mail: Mail, ann: User) -> None:
    request = to_user(ann, EmailTemplate.VERIFY_EMAIL, token="t0k3n")

    outcome = await mail.deliver(request)

    assert outcome == DeliveryOutcome(
        message_id=request.message_id,
        status=DeliveryStatus.SENT,
        attempts=1,
        provider_message_id=f"<{request.message_id}@fake.example>",
    )
    [call] = mail.renderer.calls
    assert (call.template, call.locale) == (EmailTemplate.VERIFY_EMAIL, "de-AT")
    assert call.context == {"token": "t0k3n", "recipient_name": "Ann Example", "recipient_email": "ann@example.com"}
    [sent] = mail.sender.sent
    assert (sent.message_id, sent.to, sent.subject) == (request.message_id, "ann@example.com", "verify_email (de-AT)")
    record = mail.record(request.message_id)
    assert (record.status, record.attempts, record.to_address, record.locale) == (
        DeliveryStatus.SENT,
        1,
        "ann@example.com",
        "de-AT",
    )
    assert (record.sent_at, record.claimed_until, record.last_error) == (mail.world.clock.now(), None, None)


async def test_a_sent_message_is_not_sent_again(mail: Mail, ann: User) -> None:
    request = to_user(ann)
    first = await mail.deliver(request)
    mail.world.clock.advance(minutes=5)

    again = await mail.deliver(request)

    assert again == first
    assert len(mail.sender.sent) == 1


async def test_the_attempt_is_committed_before_the_message_is_sent(world: World, ann: User) -> None:
    seen: list[EmailDelivery] = []
    mail = Mail(
        world,
        ScriptedEmailSender(during_send=lambda message: seen.append(world.db.email_deliveries[message.message_id])),
    )

    await mail.deliver(to_user(ann))

    [during] = seen
    assert (during.status, during.attempts) == (DeliveryStatus.QUEUED, 1)
    assert during.claimed_until == world.clock.now() + timedelta(seconds=CLAIM_SECONDS)


async def test_a_transient_failure_is_recorded_and_raised_and_the_retry_sends(mail: Mail, ann: User) -> None:
    request = to_user(ann)
    mail.sender.fail_next(TransientEmailError("451 try again later"))

    with pytest.raises(TransientEmailError, match="451"):
        await mail.deliver(request)

    failed_once = mail.record(request.message_id)
    assert (failed_once.status, failed_once.attempts, failed_once.last_error) == (
        DeliveryStatus.QUEUED,
        1,
        "451 try again later",
    )
    assert failed_once.claimed_until is None  # released at once: the retry need not wait for the claim to expire

    outcome = await mail.deliver(request)

    assert (outcome.status, outcome.attempts) == (DeliveryStatus.SENT, 2)
    assert mail.record(request.message_id).last_error is None
    assert len(mail.sender.sent) == 1


async def test_a_permanent_failure_fails_the_message_for_good(mail: Mail, ann: User) -> None:
    request = to_user(ann)
    mail.sender.fail_next(PermanentEmailError("550 no such mailbox"))

    with pytest.raises(PermanentEmailError, match="550"):
        await mail.deliver(request)
    outcome = await mail.deliver(request)

    assert outcome == DeliveryOutcome(message_id=request.message_id, status=DeliveryStatus.FAILED, attempts=1)
    assert mail.record(request.message_id).last_error == "550 no such mailbox"
    assert mail.sender.calls == 1


async def test_a_deleted_recipient_fails_the_message_with_the_reason(world: World, mail: Mail, tenant: Tenant) -> None:
    gone = world.user(tenant, "gone", deleted_at=world.clock.now())
    request = to_user(gone)

    with pytest.raises(PermanentEmailError, match=r"does not exist in tenant .* or was deleted"):
        await mail.deliver(request)

    record = mail.record(request.message_id)
    assert (record.status, record.attempts, record.to_address) == (DeliveryStatus.FAILED, 0, None)
    assert record.last_error is not None
    assert str(gone.id) in record.last_error
    assert (mail.renderer.calls, mail.sender.calls) == ([], 0)


async def test_a_user_of_another_tenant_is_not_a_recipient(world: World, mail: Mail, ann: User) -> None:
    other = world.tenant("other")
    request = replace(to_user(ann), tenant_id=other.id)

    with pytest.raises(PermanentEmailError, match="does not exist"):
        await mail.deliver(request)
    assert mail.sender.calls == 0


async def test_a_plain_address_gets_the_default_locale_and_no_name(mail: Mail, tenant: Tenant) -> None:
    request = EmailRequest(
        message_id=uuid7(), template=EmailTemplate.WELCOME, tenant_id=tenant.id, to="  New.Person@Example.COM "
    )

    await mail.deliver(request)

    [call] = mail.renderer.calls
    assert (call.locale, call.context["recipient_name"], call.context["recipient_email"]) == (
        "en",
        "",
        "new.person@example.com",
    )
    assert mail.sender.sent[0].to == "new.person@example.com"


@pytest.mark.parametrize(
    ("to", "reason"),
    [(None, "names no recipient"), ("not an address", "not a valid email address")],
)
async def test_a_request_without_a_usable_address_fails(
    mail: Mail, tenant: Tenant, to: str | None, reason: str
) -> None:
    request = EmailRequest(message_id=uuid7(), template=EmailTemplate.WELCOME, tenant_id=tenant.id, to=to)

    with pytest.raises(PermanentEmailError, match=reason):
        await mail.deliver(request)
    assert mail.record(request.message_id).status is DeliveryStatus.FAILED


@pytest.mark.parametrize(
    ("template", "context", "reason"),
    [
        (EmailTemplate.VERIFY_EMAIL, {}, "missing or empty: token"),
        (EmailTemplate.PASSWORD_RESET, {"token": "  "}, "missing or empty: token"),
        (EmailTemplate.JOB_FINISHED, {"job_id": "1", "job_name": "x", "job_status": "maybe"}, "job_status is 'maybe'"),
        (EmailTemplate.WELCOME, {"recipient_name": "Mallory"}, "recipient_name must not be given"),
        (EmailTemplate.VERIFY_EMAIL, {"token": "t", "verify_url": "https://evil.example"}, "verify_url must not be"),
    ],
)
async def test_a_context_the_template_cannot_use_fails_the_message(
    mail: Mail, ann: User, template: EmailTemplate, context: dict[str, str], reason: str
) -> None:
    request = to_user(ann, template, **context)

    with pytest.raises(PermanentEmailError, match=reason):
        await mail.deliver(request)
    assert mail.record(request.message_id).status is DeliveryStatus.FAILED
    assert mail.sender.calls == 0


async def test_an_unknown_template_fails_the_message(mail: Mail, ann: User) -> None:
    request = replace(to_user(ann), template="newsletter")  # type: ignore[arg-type]

    with pytest.raises(PermanentEmailError, match="unknown email template 'newsletter'"):
        await mail.deliver(request)
    assert mail.sender.calls == 0


async def test_an_unknown_tenant_is_refused_without_a_record(mail: Mail, ann: User) -> None:
    request = replace(to_user(ann), tenant_id=uuid7())

    with pytest.raises(PermanentEmailError, match="does not exist"):
        await mail.deliver(request)
    assert mail.world.db.email_deliveries == {}


async def test_a_message_claimed_by_another_attempt_is_left_to_it_until_the_claim_expires(
    mail: Mail, ann: User
) -> None:
    request = to_user(ann)
    now = mail.world.clock.now()
    claimed = replace(
        EmailDelivery.requested(request, now), attempts=1, claimed_until=now + timedelta(seconds=CLAIM_SECONDS)
    )
    mail.world.db.seed(claimed)

    with pytest.raises(TransientEmailError, match="claimed by another attempt"):
        await mail.deliver(request)
    assert mail.record(request.message_id) == claimed
    assert mail.sender.calls == 0

    mail.world.clock.advance(seconds=CLAIM_SECONDS)  # that attempt died mid-send: its claim runs out
    outcome = await mail.deliver(request)

    assert (outcome.status, outcome.attempts) == (DeliveryStatus.SENT, 2)


async def test_a_message_id_names_one_message(mail: Mail, ann: User) -> None:
    welcome = to_user(ann)
    await mail.deliver(welcome)
    reuse = replace(to_user(ann, EmailTemplate.VERIFY_EMAIL, token="t"), message_id=welcome.message_id)

    with pytest.raises(PermanentEmailError, match="already names another message"):
        await mail.deliver(reuse)
    assert mail.record(welcome.message_id).status is DeliveryStatus.SENT
    assert len(mail.sender.sent) == 1


async def test_a_long_error_is_kept_truncated(mail: Mail, ann: User) -> None:
    request = to_user(ann)
    mail.sender.fail_next(TransientEmailError("421 " + "x" * 5000))

    with pytest.raises(TransientEmailError):
        await mail.deliver(request)

    last_error = mail.record(request.message_id).last_error
    assert last_error is not None
    assert len(last_error) == MAX_ERROR_LENGTH
    assert last_error.startswith("421 xxx")
    assert last_error.endswith("…")


def test_the_claim_must_last() -> None:
    world = World()
    with pytest.raises(ValueError, match="claim_seconds"):
        DeliverEmailUseCase(world.uow, RecordingEmailRenderer(), ScriptedEmailSender(), world.clock, claim_seconds=0)
