"""Delivery records in PostgreSQL: every field survives the round trip, a second add changes nothing, a record names an
existing tenant, and a locked record makes a concurrent locker wait."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from persistence_support import MakeUow
from sqlalchemy.exc import IntegrityError

from keel.application.email import DeliveryStatus, EmailDelivery, EmailRequest, EmailTemplate
from keel.domain.ids import uuid7
from keel.domain.tenants import Tenant, TenantNotFound

pytestmark = pytest.mark.integration

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def new_delivery(tenant: Tenant, template: EmailTemplate = EmailTemplate.WELCOME) -> EmailDelivery:
    request = EmailRequest(message_id=uuid7(), template=template, tenant_id=tenant.id, recipient_user_id=uuid7())
    return EmailDelivery.requested(request, NOW)


async def stored(uow: MakeUow, delivery: EmailDelivery) -> EmailDelivery | None:
    async with uow() as work:
        return await work.email_deliveries.get(delivery.message_id)


async def test_a_new_record_reads_back_as_written(uow: MakeUow, tenant: Tenant) -> None:
    delivery = new_delivery(tenant, EmailTemplate.PASSWORD_RESET)
    async with uow() as work:
        await work.email_deliveries.add_if_absent(delivery)
        await work.commit()

    assert await stored(uow, delivery) == delivery


async def test_every_transition_is_stored(uow: MakeUow, tenant: Tenant) -> None:
    delivery = new_delivery(tenant)
    attempted = delivery.attempted(
        to_address="ann@example.com", locale="de-AT", now=NOW + timedelta(seconds=1), claim=timedelta(minutes=2)
    )
    deferred = attempted.retry_later("451 4.3.0 Try again later", NOW + timedelta(seconds=2))
    sent = deferred.sent(f"<{delivery.message_id}@keel.test>", NOW + timedelta(seconds=3))
    async with uow() as work:
        await work.email_deliveries.add_if_absent(delivery)
        await work.commit()

    for state in (attempted, deferred, sent):
        async with uow() as work:
            await work.email_deliveries.save(state)
            await work.commit()
        assert await stored(uow, state) == state

    assert sent.status is DeliveryStatus.SENT
    assert (sent.attempts, sent.sent_at, sent.claimed_until) == (1, NOW + timedelta(seconds=3), None)


async def test_adding_an_existing_message_id_changes_nothing(uow: MakeUow, tenant: Tenant) -> None:
    delivery = new_delivery(tenant)
    async with uow() as work:
        await work.email_deliveries.add_if_absent(delivery)
        await work.commit()
    sent = delivery.sent("<x@keel.test>", NOW)
    async with uow() as work:
        await work.email_deliveries.save(sent)
        await work.commit()

    async with uow() as work:
        await work.email_deliveries.add_if_absent(replace(delivery, template=EmailTemplate.JOB_FINISHED))
        await work.commit()

    assert await stored(uow, delivery) == sent


async def test_a_record_of_an_unknown_tenant_is_refused(uow: MakeUow, tenant: Tenant) -> None:
    delivery = replace(new_delivery(tenant), tenant_id=uuid7())
    async with uow() as work:
        with pytest.raises(TenantNotFound):
            await work.email_deliveries.add_if_absent(delivery)


async def test_a_sent_record_must_say_when_and_with_which_message_id(uow: MakeUow, tenant: Tenant) -> None:
    delivery = new_delivery(tenant)
    async with uow() as work:
        await work.email_deliveries.add_if_absent(delivery)
        await work.commit()

    async with uow() as work:
        with pytest.raises(IntegrityError, match="ck_email_deliveries_sent_recorded"):
            await work.email_deliveries.save(replace(delivery, status=DeliveryStatus.SENT))


async def test_saving_a_record_that_does_not_exist_is_an_error(uow: MakeUow, tenant: Tenant) -> None:
    async with uow() as work:
        with pytest.raises(LookupError, match="no delivery record"):
            await work.email_deliveries.save(new_delivery(tenant))


async def test_a_missing_record_is_none(uow: MakeUow) -> None:
    async with uow() as work:
        assert await work.email_deliveries.get(uuid7()) is None
        assert await work.email_deliveries.get_for_update(uuid7()) is None


async def test_a_locked_record_makes_a_second_locker_wait_and_then_see_the_change(uow: MakeUow, tenant: Tenant) -> None:
    delivery = new_delivery(tenant)
    async with uow() as work:
        await work.email_deliveries.add_if_absent(delivery)
        await work.commit()

    async with uow() as first, uow() as second:
        mine = await first.email_deliveries.get_for_update(delivery.message_id)
        assert mine is not None
        late = asyncio.create_task(second.email_deliveries.get_for_update(delivery.message_id))
        await asyncio.sleep(0.05)
        assert not late.done()
        claimed = mine.attempted(to_address="ann@example.com", locale="en", now=NOW, claim=timedelta(minutes=2))
        await first.email_deliveries.save(claimed)
        await first.commit()
        assert await late == claimed


async def test_two_transactions_adding_one_message_id_make_one_record(uow: MakeUow, tenant: Tenant) -> None:
    delivery = new_delivery(tenant)

    async with uow() as first, uow() as second:
        await first.email_deliveries.add_if_absent(delivery)
        # The second insert waits for the first transaction, then finds the row and does nothing.
        late = asyncio.create_task(second.email_deliveries.add_if_absent(replace(delivery, attempts=7)))
        await asyncio.sleep(0.05)
        assert not late.done()
        await first.commit()
        await late
        await second.commit()

    assert await stored(uow, delivery) == delivery
