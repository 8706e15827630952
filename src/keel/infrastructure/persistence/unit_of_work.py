"""The unit of work on PostgreSQL: one ``AsyncSession`` (one connection, one transaction) per use-case call.

```python
uow_factory = lambda: SqlAlchemyUnitOfWork(session_factory, event_bus, before_commit=[outbox_writer])
async with uow_factory() as uow:                  # no connection yet: taken at the first statement
    await uow.users.save(user, expected_version=3)
    await uow.commit()                            # outbox rows, COMMIT, after-commit callbacks, events
```

The session checks a connection out at its first statement, so a use case answered from the cache never touches
PostgreSQL; an unreachable PostgreSQL fails that first statement, as ``DependencyUnavailable`` like every other
database call here.

A read-only unit of work (``read_only=True``, with ``read_only_session_factory``) runs on an autocommit session that
accepts plain SELECTs only: a read is one round trip, without ``BEGIN`` and ``ROLLBACK``.

Replacing the users repository: ``user_repository`` is called once per unit of work with the session and the unit of
work itself, and returns the ``UserRepository`` the use cases get as ``uow.users``. The default builds the plain
``SqlAlchemyUserRepository``; a decorator such as a cached repository wraps it and may register
``uow.after_commit(...)`` callbacks (cache invalidation) from its write methods::

    def cached_users(statements: Statements, uow: UnitOfWork) -> UserRepository:
        return CachedUserRepository(SqlAlchemyUserRepository(statements), cache, after_commit=uow.after_commit)

    SqlAlchemyUnitOfWork(session_factory, event_bus, failures, user_repository=cached_users)

Whatever ``user_repository`` returns must report the aggregates written through it in ``written`` (the port's write
methods do), since the events published after commit are theirs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from keel.application.events import EventBus, HandlerFailures
from keel.application.unit_of_work import BeforeCommit, UnitOfWork
from keel.application.users import UserRepository
from keel.infrastructure.persistence.api_client_repository import SqlAlchemyApiClientRepository
from keel.infrastructure.persistence.audit_log import SqlAlchemyAuditLog
from keel.infrastructure.persistence.email_delivery_repository import SqlAlchemyEmailDeliveryRepository
from keel.infrastructure.persistence.error_translation import translate_database_errors
from keel.infrastructure.persistence.job_repository import SqlAlchemyJobRepository
from keel.infrastructure.persistence.one_time_token_repository import SqlAlchemyOneTimeTokenRepository
from keel.infrastructure.persistence.outbox import SqlAlchemyOutbox
from keel.infrastructure.persistence.refresh_token_repository import SqlAlchemyRefreshTokenRepository
from keel.infrastructure.persistence.statements import LazySession, Statements
from keel.infrastructure.persistence.tenant_repository import SqlAlchemyTenantRepository
from keel.infrastructure.persistence.user_repository import SqlAlchemyUserRepository

type UserRepositoryFactory = Callable[[Statements, UnitOfWork], UserRepository]


class SqlAlchemyUnitOfWork(UnitOfWork):
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        event_bus: EventBus,
        failures: HandlerFailures | None = None,
        *,
        read_only: bool = False,
        read_only_session_factory: async_sessionmaker[AsyncSession] | None = None,
        user_repository: UserRepositoryFactory = SqlAlchemyUserRepository.for_session,
        before_commit: Sequence[BeforeCommit] = (),
    ) -> None:
        super().__init__(event_bus, failures, before_commit=before_commit, read_only=read_only)
        # Read-only units of work use the autocommit sessions when given (one round trip per read); without them,
        # a read-only unit of work is an ordinary transaction that is never committed.
        self._autocommit = read_only and read_only_session_factory is not None
        if read_only and read_only_session_factory is not None:
            session_factory = read_only_session_factory
        self._session_factory = session_factory
        self._user_repository = user_repository
        self._statements: LazySession | None = None

    async def _begin(self) -> None:
        # No session yet: it is made at the first statement, and takes a pooled connection then. A read the cache
        # answers costs no session, no connection and no BEGIN/ROLLBACK at all. An unreachable PostgreSQL fails that
        # first statement instead, as DependencyUnavailable all the same.
        statements = LazySession(self._session_factory)
        self.tenants = SqlAlchemyTenantRepository(statements)
        self.users = self._user_repository(statements, self)
        self.email_deliveries = SqlAlchemyEmailDeliveryRepository(statements)
        self.outbox = SqlAlchemyOutbox(statements)
        self.audit_events = SqlAlchemyAuditLog(statements)
        self.api_clients = SqlAlchemyApiClientRepository(statements)
        self.jobs = SqlAlchemyJobRepository(statements)
        self.refresh_tokens = SqlAlchemyRefreshTokenRepository(statements)
        self.one_time_tokens = SqlAlchemyOneTimeTokenRepository(statements)
        self._statements = statements

    async def _commit(self) -> None:
        session = self._current_statements().session
        if session is None:  # nothing was written: nothing to commit
            return
        with translate_database_errors():
            await session.commit()

    async def _rollback(self) -> None:
        session = self._current_statements().session
        # Nothing ran (a read the cache answered) or it was committed; or reads in autocommit mode, which have
        # nothing to roll back: closing the session returns their connection.
        if session is None or not session.in_transaction() or (self.read_only and self._autocommit):
            return
        with translate_database_errors():
            await session.rollback()

    async def _close(self) -> None:
        statements, self._statements = self._statements, None
        if statements is not None and statements.session is not None:
            session, statements.session = statements.session, None
            await session.close()

    def _current_statements(self) -> LazySession:
        if self._statements is None:
            raise RuntimeError("The unit of work has no open session.")
        return self._statements
