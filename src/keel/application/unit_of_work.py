"""The unit of work: one transaction, the repositories that work in it, and what happens before and after it commits.

```python
async with uow_factory() as uow:
    user = await uow.users.get(tenant_id, user_id)
    user.rename("Ada", now)                      # records UserUpdated
    await uow.users.save(user, expected_version=1)
    await uow.commit()                           # before-commit handlers, COMMIT, after-commit callbacks, events
```

Leaving the block discards whatever was not committed (an exception included). ``commit`` takes the events the
written aggregates recorded and hands them to the **before-commit handlers** given to the unit of work, which write in
the same transaction (the outbox — see ``keel.application.outbox`` — and the audit log): what they write
commits with the change or not at all, and a handler that raises fails the commit, which propagates. Then it commits,
runs the callbacks registered with ``after_commit`` (e.g. cache invalidation, first, so that event handlers read fresh
data), then publishes the events. An after-commit callback or event handler that fails is logged and counted; it never
undoes or fails the committed work. If the commit itself fails — a unique or version conflict found by the database —
the error propagates and nothing is published.

Before-commit handlers write records through the unit of work (``uow.outbox``); they do not change aggregates, whose
events were already taken.

An adapter (SQLAlchemy, the in-memory fake) implements only ``_begin`` (open the session and build ``tenants``,
``users``, ``email_deliveries``, ``outbox``, ``audit_events``, ``api_clients``, ``jobs``, ``refresh_tokens`` and
``one_time_tokens`` on it), ``_commit``, ``_rollback`` and, if needed, ``_close``. A unit of work serves one use-case
call at a time: use cases take a ``UnitOfWorkFactory`` and make one per call — ``uow_factory(read_only=True)`` for
those that only read, which lets the adapter skip the transaction and makes any write through it fail.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, Self

from keel.application.events import EventBus, HandlerFailureCounts, HandlerFailures, handler_name, run_guarded
from keel.domain.events import DomainEvent

if TYPE_CHECKING:  # the feature packages import this module; at run time the annotations are not evaluated
    from keel.application.api_clients.ports import ApiClientRepository
    from keel.application.audit.entries import AuditLog
    from keel.application.auth.ports import OneTimeTokenRepository, RefreshTokenRepository
    from keel.application.email.delivery import EmailDeliveryRepository
    from keel.application.jobs.ports import JobRepository
    from keel.application.outbox.messages import Outbox
    from keel.application.ports.repository import Repository
    from keel.application.tenants.ports import TenantRepository
    from keel.application.users.ports import UserRepository

type AfterCommit = Callable[[], Awaitable[None]]
type BeforeCommit = Callable[[UnitOfWork, Sequence[DomainEvent]], Awaitable[None]]
"""Called with the unit of work and the events about to commit; writes through the unit of work, in its transaction."""
AFTER_COMMIT = "after_commit"


class UnitOfWork(ABC):
    tenants: TenantRepository
    users: UserRepository
    email_deliveries: EmailDeliveryRepository
    outbox: Outbox
    audit_events: AuditLog
    api_clients: ApiClientRepository
    jobs: JobRepository  # batch jobs: the jobs table and an import's chunk ledger
    refresh_tokens: RefreshTokenRepository
    one_time_tokens: OneTimeTokenRepository

    def __init__(
        self,
        event_bus: EventBus,
        failures: HandlerFailures | None = None,
        *,
        before_commit: Sequence[BeforeCommit] = (),
        read_only: bool = False,
    ) -> None:
        self.read_only = read_only
        self._event_bus = event_bus
        self._failures: HandlerFailures = failures if failures is not None else HandlerFailureCounts()
        self._before_commit = tuple(before_commit)
        self._active = False
        self._after_commit: list[AfterCommit] = []

    async def __aenter__(self) -> Self:
        if self._active:
            raise RuntimeError("This unit of work is already in use; make one per use-case call.")
        self._after_commit = []
        await self._begin()
        self._active = True
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._active = False
        try:
            await self._rollback()
        finally:
            await self._close()

    async def commit(self) -> None:
        """Run the before-commit handlers, commit, then run the after-commit callbacks and publish the events.

        A before-commit handler that raises fails the commit: the error propagates, nothing is committed or published.
        """
        self._ensure_active()
        if self.read_only:
            raise ReadOnlyUnitOfWork("A read-only unit of work has nothing to commit.")
        events = self._collect_events()
        for handler in self._before_commit:
            await handler(self, events)
        await self._commit()
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            await run_guarded(callback, name=handler_name(callback), event_name=AFTER_COMMIT, failures=self._failures)
        await self._event_bus.publish(events)

    async def rollback(self) -> None:
        """Discard what was not committed; the block may go on with a clean slate."""
        self._ensure_active()
        self._after_commit = []
        await self._rollback()
        for repository in self._repositories():
            repository.forget_written()  # what was rolled back never happened: no events for it

    def after_commit(self, callback: AfterCommit) -> None:
        """Run ``callback`` once the current transaction has committed (never if it rolls back)."""
        self._ensure_active()
        self._after_commit.append(callback)

    @abstractmethod
    async def _begin(self) -> None:
        """Open the transaction and build the repositories and the outbox on it."""

    @abstractmethod
    async def _commit(self) -> None:
        """Commit; raise the domain's ``Conflict``/``VersionConflict`` for constraint violations."""

    @abstractmethod
    async def _rollback(self) -> None:
        """Discard uncommitted work; a no-op when there is none (it also runs after a commit)."""

    async def _close(self) -> None:  # noqa: B027 - an optional hook, nothing to release by default
        """Release the connection or session, after the final rollback."""

    def _repositories(self) -> tuple[Repository[Any], ...]:
        return (self.tenants, self.users, self.one_time_tokens)

    def _collect_events(self) -> list[DomainEvent]:
        return [
            event
            for repository in self._repositories()
            for aggregate in repository.written
            for event in aggregate.pull_events()
        ]

    def _ensure_active(self) -> None:
        if not self._active:
            raise RuntimeError("Use the unit of work inside `async with`.")


class ReadOnlyUnitOfWork(RuntimeError):
    """A write was attempted through a read-only unit of work: a programming error, never a client's."""


class UnitOfWorkFactory(Protocol):
    """Makes one unit of work per use-case call.

    ``read_only=True`` is for use cases that only read: the adapter may then skip the transaction (PostgreSQL runs
    each statement in its own snapshot, as READ COMMITTED would) and refuses writes; ``commit`` raises
    ``ReadOnlyUnitOfWork``.
    """

    def __call__(self, *, read_only: bool = False) -> UnitOfWork: ...
