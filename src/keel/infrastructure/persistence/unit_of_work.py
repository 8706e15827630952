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

Replacing the users repository: ``user_repository`` is called once per unit of work with the session and the unit of
work itself, and returns the ``UserRepository`` the use cases get as ``uow.users``. The default builds the plain
``SqlAlchemyUserRepository``; a decorator such as a cached repository wraps it and may register
``uow.after_commit(...)`` callbacks (cache invalidation) from its write methods::

    def cached_users(session: AsyncSession, uow: UnitOfWork) -> UserRepository:
        return CachedUserRepository(SqlAlchemyUserRepository(session), cache, after_commit=uow.after_commit)

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
from keel.infrastructure.persistence.error_translation import translate_database_errors
from keel.infrastructure.persistence.outbox import SqlAlchemyOutbox
from keel.infrastructure.persistence.tenant_repository import SqlAlchemyTenantRepository
from keel.infrastructure.persistence.user_repository import SqlAlchemyUserRepository

type UserRepositoryFactory = Callable[[AsyncSession, UnitOfWork], UserRepository]


class SqlAlchemyUnitOfWork(UnitOfWork):
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        event_bus: EventBus,
        failures: HandlerFailures | None = None,
        *,
        user_repository: UserRepositoryFactory = SqlAlchemyUserRepository.for_session,
        before_commit: Sequence[BeforeCommit] = (),
    ) -> None:
        super().__init__(event_bus, failures, before_commit=before_commit)
        self._session_factory = session_factory
        self._user_repository = user_repository
        self._session: AsyncSession | None = None

    async def _begin(self) -> None:
        # The session takes a pooled connection at its first statement, not here: a read the cache answers costs
        # no connection and no BEGIN/ROLLBACK at all. An unreachable PostgreSQL fails that first statement instead,
        # as DependencyUnavailable all the same.
        session = self._session_factory()
        self.tenants = SqlAlchemyTenantRepository(session)
        self.users = self._user_repository(session, self)
        self.outbox = SqlAlchemyOutbox(session)
        self._session = session

    async def _commit(self) -> None:
        with translate_database_errors():
            await self._current_session().commit()

    async def _rollback(self) -> None:
        with translate_database_errors():
            await self._current_session().rollback()

    async def _close(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    def _current_session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("The unit of work has no open session.")
        return self._session
