"""MarkStaleJobs with the in-memory database: queued and running jobs without progress for longer than the threshold
fail with the time of their last progress and the requester's ``job_finished`` email; the others are left alone."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

import pytest

from fakes.world import World
from keel.application.jobs import Job, JobKind, JobStatus
from keel.application.maintenance import MaintenanceCounts, MarkStaleJobs, PurgeDeletedUsers, RunMaintenance
from keel.application.outbox.messages import MessageKind
from keel.domain.ids import uuid7

THRESHOLD = timedelta(minutes=60)


def mark(world: World, batch_size: int = 100) -> MarkStaleJobs:
    return MarkStaleJobs(world.uow, world.clock, world.ids, threshold=THRESHOLD, batch_size=batch_size)


def job(
    world: World,
    requester: UUID,
    status: JobStatus,
    *,
    created_minutes_ago: float,
    progress_minutes_ago: float | None = None,
) -> Job:
    now = world.clock.now()
    progress_at = None if progress_minutes_ago is None else now - timedelta(minutes=progress_minutes_ago)
    stored = Job(
        id=uuid7(),
        tenant_id=world.db.users[requester].tenant_id,
        kind=JobKind.IMPORT,
        status=status,
        requested_by=requester,
        created_at=now - timedelta(minutes=created_minutes_ago),
        started_at=progress_at,
        progress_at=progress_at,
        finished_at=progress_at if status.final else None,
        input_key=f"jobs/{status.value}.csv",
    )
    world.db.jobs[stored.id] = stored
    return stored


def at(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


async def test_jobs_without_progress_past_the_threshold_fail_and_the_others_stay(world: World) -> None:
    owner = world.user(world.tenant("acme"), "olive").id
    queued_long_ago = job(world, owner, JobStatus.QUEUED, created_minutes_ago=61)
    stuck = job(world, owner, JobStatus.RUNNING, created_minutes_ago=300, progress_minutes_ago=90)
    fresh_queued = job(world, owner, JobStatus.QUEUED, created_minutes_ago=59)
    progressing = job(world, owner, JobStatus.RUNNING, created_minutes_ago=300, progress_minutes_ago=5)
    over = job(world, owner, JobStatus.SUCCEEDED, created_minutes_ago=300, progress_minutes_ago=200)

    assert await mark(world)() == 2

    jobs = world.db.jobs
    assert (jobs[queued_long_ago.id].status, jobs[queued_long_ago.id].error) == (
        JobStatus.FAILED,
        f"No progress since {at(queued_long_ago.created_at)}.",
    )
    assert stuck.progress_at is not None
    assert (jobs[stuck.id].status, jobs[stuck.id].error) == (
        JobStatus.FAILED,
        f"No progress since {at(stuck.progress_at)}.",
    )
    assert jobs[stuck.id].finished_at == world.clock.now()
    assert [jobs[j.id] for j in (fresh_queued, progressing, over)] == [fresh_queued, progressing, over]
    emails = [message for message in world.db.outbox if message.kind is MessageKind.SEND_EMAIL]
    contexts = [m.payload["context"] for m in emails]
    assert all(isinstance(context, dict) for context in contexts)
    assert sorted((m.payload["recipient_user_id"], m.payload["context"]["job_id"]) for m in emails) == sorted(  # type: ignore[index,call-overload]
        (str(owner), str(j.id)) for j in (queued_long_ago, stuck)
    )
    assert {m.payload["context"]["job_status"] for m in emails} == {"failed"}  # type: ignore[index,call-overload]


async def test_a_second_run_fails_nothing_more_and_sends_no_second_email(world: World) -> None:
    owner = world.user(world.tenant("acme"), "olive").id
    job(world, owner, JobStatus.RUNNING, created_minutes_ago=120, progress_minutes_ago=61)
    assert await mark(world)() == 1
    assert await mark(world)() == 0
    assert len(world.db.outbox) == 1


async def test_stale_jobs_are_failed_in_batches(world: World) -> None:
    owner = world.user(world.tenant("acme"), "olive").id
    stale = [job(world, owner, JobStatus.QUEUED, created_minutes_ago=100 + n) for n in range(5)]
    commits = world.db.commits
    assert await mark(world, batch_size=2)() == 5
    assert world.db.commits - commits == 3
    assert {world.db.jobs[j.id].status for j in stale} == {JobStatus.FAILED}


@pytest.mark.parametrize(
    ("threshold", "batch_size", "message"),
    [
        (timedelta(0), 10, "the stale-job threshold must be positive"),
        (timedelta(minutes=1), 0, "the batch size must be at least 1"),
    ],
)
def test_bad_configuration_is_refused(world: World, threshold: timedelta, batch_size: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        MarkStaleJobs(world.uow, world.clock, world.ids, threshold=threshold, batch_size=batch_size)


async def test_run_maintenance_purges_then_fails_stale_jobs_and_gives_both_counts(world: World) -> None:
    tenant = world.tenant("acme")
    owner = world.user(tenant, "olive").id
    world.user(tenant, "gone", deleted_at=world.clock.now() - timedelta(days=31), version=2)
    job(world, owner, JobStatus.QUEUED, created_minutes_ago=61)
    purge = PurgeDeletedUsers(world.uow, world.clock, retention=timedelta(days=30), batch_size=10)
    run = RunMaintenance(purge, mark(world))
    assert await run() == MaintenanceCounts(purged_users=1, stale_jobs=1)
    assert await run() == MaintenanceCounts(purged_users=0, stale_jobs=0)
