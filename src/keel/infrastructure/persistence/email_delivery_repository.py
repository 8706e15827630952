"""Delivery records in PostgreSQL: the ``EmailDeliveryRepository`` port over the unit of work's session."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any
from uuid import UUID

from sqlalchemy import Executable, Result, any_, bindparam, select, update
from sqlalchemy.dialects.postgresql import ARRAY, insert

from keel.application.email import EmailDelivery, EmailDeliveryRepository
from keel.infrastructure.database.models.email_deliveries import email_deliveries_table
from keel.infrastructure.persistence.email_delivery_mapper import (
    changed_delivery_values,
    delivery_from_row,
    delivery_values,
)
from keel.infrastructure.persistence.error_translation import translate_database_errors
from keel.infrastructure.persistence.statements import Statements

_deliveries = email_deliveries_table.c


class SqlAlchemyEmailDeliveryRepository(EmailDeliveryRepository):
    """One statement per method. A missing tenant raises ``TenantNotFound`` from ``add_if_absent``."""

    def __init__(self, session: Statements) -> None:
        self._session = session

    async def add_if_absent(self, delivery: EmailDelivery) -> None:
        # A concurrent transaction inserting the same id makes this one wait for its end, then do nothing.
        statement = (
            insert(email_deliveries_table)
            .values(delivery_values(delivery))
            .on_conflict_do_nothing(index_elements=[_deliveries.message_id])
        )
        await self._execute(statement)

    async def get(self, message_id: UUID) -> EmailDelivery | None:
        return await self._one(select(email_deliveries_table).where(_deliveries.message_id == message_id))

    async def get_for_update(self, message_id: UUID) -> EmailDelivery | None:
        statement = select(email_deliveries_table).where(_deliveries.message_id == message_id).with_for_update()
        return await self._one(statement)

    async def save(self, delivery: EmailDelivery) -> None:
        statement = (
            update(email_deliveries_table)
            .where(_deliveries.message_id == delivery.message_id)
            .values(changed_delivery_values(delivery))
            .returning(_deliveries.message_id)
        )
        if (await self._execute(statement)).first() is None:
            raise LookupError(f"no delivery record of message {delivery.message_id} to save")

    async def erase_addresses(self, recipient_user_ids: Collection[UUID]) -> int:
        if not recipient_user_ids:
            return 0
        ids = bindparam("ids", list(recipient_user_ids), type_=ARRAY(_deliveries.recipient_user_id.type))
        statement = (
            update(email_deliveries_table)
            .where(_deliveries.recipient_user_id == any_(ids), _deliveries.to_address.is_not(None))
            .values(to_address=None)
            .returning(_deliveries.message_id)
        )
        return len((await self._execute(statement)).all())

    async def _one(self, statement: Executable) -> EmailDelivery | None:
        row = (await self._execute(statement)).mappings().one_or_none()
        return delivery_from_row(row) if row is not None else None

    async def _execute(self, statement: Executable) -> Result[Any]:
        with translate_database_errors():
            return await self._session.execute(statement)
