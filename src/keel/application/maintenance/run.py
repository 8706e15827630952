"""RunMaintenance: both maintenance tasks, one after the other — what ``keel maintenance run`` does at once."""

from __future__ import annotations

from dataclasses import dataclass

from keel.application.maintenance.mark_stale_jobs import MarkStaleJobs
from keel.application.maintenance.purge_deleted_users import PurgeDeletedUsers


@dataclass(frozen=True, slots=True)
class MaintenanceCounts:
    """What one maintenance run did."""

    purged_users: int
    stale_jobs: int


class RunMaintenance:
    def __init__(self, purge_deleted_users: PurgeDeletedUsers, mark_stale_jobs: MarkStaleJobs) -> None:
        self._purge_deleted_users = purge_deleted_users
        self._mark_stale_jobs = mark_stale_jobs

    async def __call__(self) -> MaintenanceCounts:
        purged = await self._purge_deleted_users()
        stale = await self._mark_stale_jobs()
        return MaintenanceCounts(purged_users=purged, stale_jobs=stale)
