"""The maintenance activities: thin adapters from Temporal to the maintenance use cases, one per task.

Each returns a count (the workflow's history keeps only numbers). Both use cases are idempotent and safe to run
concurrently, so a retried attempt — or one that overlaps an attempt still running on a worker thought lost — never
purges or fails anything twice; it only finds less to do.
"""

from __future__ import annotations

import structlog
from temporalio import activity

from keel.application.maintenance import MarkStaleJobs, PurgeDeletedUsers

logger = structlog.get_logger(__name__)


class MaintenanceActivities:
    def __init__(self, purge_deleted_users: PurgeDeletedUsers, mark_stale_jobs: MarkStaleJobs) -> None:
        self._purge_deleted_users = purge_deleted_users
        self._mark_stale_jobs = mark_stale_jobs

    @activity.defn(name="purge_deleted_users")
    async def purge_deleted_users(self) -> int:
        purged = await self._purge_deleted_users()
        logger.info("maintenance.users_purged", count=purged, attempt=activity.info().attempt)
        return purged

    @activity.defn(name="mark_stale_jobs")
    async def mark_stale_jobs(self) -> int:
        failed = await self._mark_stale_jobs()
        logger.info("maintenance.stale_jobs_failed", count=failed, attempt=activity.info().attempt)
        return failed
