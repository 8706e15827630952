"""Names the outbox integration tests share with their fixtures (``conftest.py``)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from keel.application.email.ports import EmailRequest, EmailTemplate
from keel.application.outbox import OutboxMessage, send_email_message
from keel.infrastructure.database.models.outbox import outbox_table
from keel.infrastructure.outbox import OutboxDispatcher, PendingMessage
from keel.infrastructure.persistence import SqlAlchemyUnitOfWork

type MakeUow = Callable[..., SqlAlchemyUnitOfWork]
type AddMessages = Callable[..., Awaitable[list[OutboxMessage]]]


def welcome_messages(count: int, created_at: datetime) -> list[OutboxMessage]:
    """``count`` welcome-email messages for users of one tenant (neither needs to exist: the outbox has no keys)."""
    tenant_id = uuid.uuid4()
    return [
        send_email_message(
            EmailRequest(
                message_id=uuid.uuid4(),
                template=EmailTemplate.WELCOME,
                tenant_id=tenant_id,
                recipient_user_id=uuid.uuid4(),
            ),
            created_at=created_at,
        )
        for _ in range(count)
    ]


async def outbox_rows(engine: AsyncEngine) -> list[dict[str, Any]]:
    """Every row of ``outbox`` as committed, oldest first."""
    async with engine.connect() as connection:
        rows = await connection.execute(select(outbox_table).order_by(outbox_table.c.created_at, outbox_table.c.id))
        return [dict(row) for row in rows.mappings()]


@dataclass
class CountingDispatcher:
    """A real dispatcher, observed: which message ids it was asked to dispatch, by which relay."""

    inner: OutboxDispatcher
    asked: list[UUID] = field(default_factory=list)

    async def dispatch(self, messages: Sequence[PendingMessage]) -> Sequence[BaseException | None]:
        self.asked.extend(message.id for message in messages)
        return await self.inner.dispatch(messages)
