"""Names the workflow tests share."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from temporalio.worker import Worker

from fakes.deliver_email import FakeDeliverEmail
from keel.application.email.ports import EmailRequest, EmailTemplate

type EmailWorker = Callable[[FakeDeliverEmail], Worker]


def welcome_request() -> EmailRequest:
    """A welcome email for a new user of a tenant, as the outbox policy asks for it."""
    return EmailRequest(
        message_id=uuid.uuid4(), template=EmailTemplate.WELCOME, tenant_id=uuid.uuid4(), recipient_user_id=uuid.uuid4()
    )
