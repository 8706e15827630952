"""Maintenance: the periodic clean-up the worker's schedule runs (``docs/explanation/maintenance.md``).

``PurgeDeletedUsers`` removes for good the users soft-deleted longer ago than the retention; ``MarkStaleJobs`` fails
the jobs that stopped making progress. Both work in batches, one transaction each, lock what they take with
``SKIP LOCKED`` (two runs at once share the work, never do it twice), and may be run again at any time.
"""

from keel.application.maintenance.mark_stale_jobs import MarkStaleJobs, stale_job_error
from keel.application.maintenance.purge_deleted_users import PurgeDeletedUsers
from keel.application.maintenance.run import MaintenanceCounts, RunMaintenance

__all__ = ["MaintenanceCounts", "MarkStaleJobs", "PurgeDeletedUsers", "RunMaintenance", "stale_job_error"]
