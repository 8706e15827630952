"""MarkStaleJobs: fail the queued or running jobs that made no progress for longer than the threshold.

A job's workflow records progress at its start, after each chunk and at its end; one whose last progress (its
creation, if it never started) is older than ``threshold`` is taken as lost — its workflow gone, its start message
stuck — and is failed with ``No progress since <instant>.``. It is the usual finishing path: the repository's
conditional ``finish`` (a job ends once, whoever else tries) and the requester's ``job_finished`` email in the same
transaction. Jobs are locked with ``SKIP LOCKED``, in batches of ``batch_size``: a concurrent run, or a workflow
recording a chunk at that moment, is never waited for, and the staleness is checked on the locked row itself.

A workflow still running such a job finds it final at its next step and stops (see ``ImportUsersChunk``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from keel.application.jobs import Job, JobStatus, job_finished_email
from keel.application.ports import Clock, IdGenerator
from keel.application.unit_of_work import UnitOfWorkFactory


def stale_job_error(job: Job) -> str:
    """The error a stale job ends with: when it last made progress."""
    last = job.progress_at or job.created_at
    return f"No progress since {last.isoformat(timespec='seconds')}."


class MarkStaleJobs:
    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator, *, threshold: timedelta, batch_size: int
    ) -> None:
        if threshold <= timedelta(0):
            raise ValueError("the stale-job threshold must be positive")
        if batch_size < 1:
            raise ValueError("the batch size must be at least 1")
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._threshold = threshold
        self._batch_size = batch_size

    async def __call__(self) -> int:
        """The number of jobs this call failed."""
        now = self._clock.now()
        progress_before = now - self._threshold
        total = 0
        while True:
            failed, full = await self._batch(progress_before, now)
            total += failed
            if not full:
                return total

    async def _batch(self, progress_before: datetime, now: datetime) -> tuple[int, bool]:
        async with self._uow() as uow:
            stale = await uow.jobs.lock_stale(progress_before, limit=self._batch_size)
            if not stale:
                return 0, False
            failed = 0
            for job in stale:
                finished = await uow.jobs.finish(
                    job.tenant_id, job.id, status=JobStatus.FAILED, now=now, error=stale_job_error(job)
                )
                if finished is not None:
                    await uow.outbox.add([job_finished_email(finished, self._ids.new_id(), now)])
                    failed += 1
            await uow.commit()
        return failed, len(stale) == self._batch_size
