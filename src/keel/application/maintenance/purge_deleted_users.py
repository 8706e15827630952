"""PurgeDeletedUsers: remove for good the users soft-deleted longer ago than the retention.

A soft deletion keeps the record so that ``RestoreUser`` can undo it; past the retention it goes. Batch after batch,
one transaction each: lock up to ``batch_size`` users deleted before ``now - retention`` (``SKIP LOCKED``: a
concurrent run takes other users, so each is purged once), record ``UserPurged`` on each (the audit log writes one
``user.purged`` entry per user, in the same transaction, as the system), forget the addresses their email
deliveries were sent to, and delete the rows — their refresh and one-time tokens go with them (cascading keys).
After the commit the cache drops them: a purged user is never served again.

What stays, with the bare id (no foreign key): audit entries (never rewritten), jobs the user requested, API clients
they created, delivery records without the address. ADR 0018 says why.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from keel.application.ports import Clock
from keel.application.unit_of_work import UnitOfWorkFactory


class PurgeDeletedUsers:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, *, retention: timedelta, batch_size: int) -> None:
        if retention <= timedelta(0):
            raise ValueError("the retention must be positive")
        if batch_size < 1:
            raise ValueError("the batch size must be at least 1")
        self._uow = uow
        self._clock = clock
        self._retention = retention
        self._batch_size = batch_size

    async def __call__(self) -> int:
        """The number of users this call purged (0 when none is due, or a concurrent run took them)."""
        now = self._clock.now()
        deleted_before = now - self._retention
        total = 0
        while True:
            purged, full = await self._batch(deleted_before, now)
            total += purged
            if not full:
                return total

    async def _batch(self, deleted_before: datetime, now: datetime) -> tuple[int, bool]:
        """Purge one batch: (users purged, whether the batch was full — then there may be more)."""
        async with self._uow() as uow:
            users = await uow.users.lock_deleted_before(deleted_before, limit=self._batch_size)
            if not users:
                return 0, False
            for user in users:
                user.purge(now)
            await uow.email_deliveries.erase_addresses([user.id for user in users])
            purged = await uow.users.purge(users)
            await uow.commit()
        return purged, len(users) == self._batch_size
