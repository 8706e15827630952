"""The unit of work of the unit tests: the application's generic ``UnitOfWork`` over an ``InMemoryDatabase``."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from fakes.audit import InMemoryAuditLog
from fakes.database import InMemoryDatabase, Transaction
from fakes.events import RecordingEventBus
from fakes.jobs import InMemoryJobRepository
from fakes.outbox import InMemoryOutbox
from fakes.repositories import (
    InMemoryApiClientRepository,
    InMemoryEmailDeliveryRepository,
    InMemoryTenantRepository,
    InMemoryUserRepository,
)
from fakes.token_repositories import InMemoryOneTimeTokenRepository, InMemoryRefreshTokenRepository
from keel.application.events import EventBus, HandlerFailures
from keel.application.unit_of_work import BeforeCommit, UnitOfWork


class FakeUnitOfWork(UnitOfWork):
    def __init__(
        self,
        database: InMemoryDatabase,
        event_bus: EventBus | None = None,
        failures: HandlerFailures | None = None,
        *,
        before_commit: Sequence[BeforeCommit] = (),
        read_only: bool = False,
    ) -> None:
        super().__init__(
            event_bus if event_bus is not None else RecordingEventBus(),
            failures,
            before_commit=before_commit,
            read_only=read_only,
        )
        self.database = database
        self._tx = Transaction()
        self.rollbacks = 0

    async def _begin(self) -> None:
        self._tx = Transaction()
        self.tenants = InMemoryTenantRepository(self.database, self._tx)
        self.users = InMemoryUserRepository(self.database, self._tx)
        self.email_deliveries = InMemoryEmailDeliveryRepository(self.database, self._tx)
        self.outbox = InMemoryOutbox(self.database, self._tx)
        self.audit_events = InMemoryAuditLog(self.database, self._tx)
        self.api_clients = InMemoryApiClientRepository(self.database, self._tx)
        self.refresh_tokens = InMemoryRefreshTokenRepository(self.database, self._tx)
        self.one_time_tokens = InMemoryOneTimeTokenRepository(self.database, self._tx)
        self.jobs = InMemoryJobRepository(self.database, self._tx)

    async def _commit(self) -> None:
        self.database.commit(self._tx)

    async def _rollback(self) -> None:
        if self._tx.has_writes():
            self.rollbacks += 1
        self._tx.clear()


def fake_uow_factory(
    database: InMemoryDatabase, event_bus: EventBus, *, before_commit: Sequence[BeforeCommit] = ()
) -> Callable[..., FakeUnitOfWork]:
    """A ``UnitOfWorkFactory`` making a fresh ``FakeUnitOfWork`` on the shared database and bus for each call."""

    def new_unit_of_work(*, read_only: bool = False) -> FakeUnitOfWork:
        return FakeUnitOfWork(database, event_bus, before_commit=before_commit, read_only=read_only)

    return new_unit_of_work
