"""An outbox in memory: messages staged in the transaction, visible in ``InMemoryDatabase.outbox`` once committed."""

from __future__ import annotations

from collections.abc import Sequence

from fakes.database import InMemoryDatabase, Transaction
from keel.application.outbox import Outbox, OutboxMessage


class InMemoryOutbox(Outbox):
    def __init__(self, database: InMemoryDatabase, tx: Transaction) -> None:
        self._db, self._tx = database, tx

    async def add(self, messages: Sequence[OutboxMessage]) -> None:
        self._db.statements["outbox.add"] += 1
        self._tx.outbox.extend(messages)
