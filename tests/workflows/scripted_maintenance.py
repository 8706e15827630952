"""Maintenance activities with scripted outcomes, registered under the real names: each task answers its count, after
raising the scripted errors one per attempt. The workflow tests and the history recorder use them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from temporalio import activity


class ScriptedMaintenance:
    def __init__(
        self,
        purged: int,
        stale: int,
        *,
        purge_failures: Sequence[BaseException] = (),
        stale_failures: Sequence[BaseException] = (),
    ) -> None:
        self._purged, self._stale = purged, stale
        self._purge_failures, self._stale_failures = list(purge_failures), list(stale_failures)
        self.calls: list[tuple[str, int]] = []
        """(activity, attempt) of every attempt, in order."""

    def activities(self) -> list[Callable[..., Any]]:
        return [self.purge_deleted_users, self.mark_stale_jobs]

    @activity.defn(name="purge_deleted_users")
    async def purge_deleted_users(self) -> int:
        self.calls.append(("purge_deleted_users", activity.info().attempt))
        if self._purge_failures:
            raise self._purge_failures.pop(0)
        return self._purged

    @activity.defn(name="mark_stale_jobs")
    async def mark_stale_jobs(self) -> int:
        self.calls.append(("mark_stale_jobs", activity.info().attempt))
        if self._stale_failures:
            raise self._stale_failures.pop(0)
        return self._stale
