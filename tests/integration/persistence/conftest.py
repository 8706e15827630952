"""The PostgreSQL adapters against the worker's migrated database, emptied after each test (``clean_database``).

``uow()`` makes a real ``SqlAlchemyUnitOfWork`` on the test's engine, publishing to an ``InProcessEventBus`` whose
recording handler keeps every event (``published``); ``store`` commits tenants and users through the repositories;
``statements`` lists the SQL the engine sends, for tests that count round trips.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

import pytest
from persistence_support import MakeUow, MakeUser, Store, with_password
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from factories import TenantFactory, UserFactory
from keel.application.events import InProcessEventBus
from keel.container import unit_of_work_factory
from keel.domain.events import DomainEvent
from keel.domain.tenants import Tenant
from keel.domain.users import EmailAddress, Role, User, Username
from keel.infrastructure.database.engine import read_only_session_factory, session_factory


@pytest.fixture
async def engine(clean_database: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(clean_database, pool_size=5, max_overflow=0)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return session_factory(engine)


@pytest.fixture
def published() -> list[DomainEvent]:
    return []


@pytest.fixture
def bus(published: list[DomainEvent]) -> InProcessEventBus:
    bus = InProcessEventBus()

    async def record(event: DomainEvent) -> None:
        published.append(event)

    bus.subscribe(DomainEvent, record)
    return bus


@pytest.fixture
def uow(sessions: async_sessionmaker[AsyncSession], bus: InProcessEventBus) -> MakeUow:
    """The ``UnitOfWorkFactory`` of the tests: a new unit of work per call, on the test's engine and bus."""
    return unit_of_work_factory(
        session_factory=sessions,
        read_only_session_factory=read_only_session_factory(sessions.kw["bind"]),
        event_bus=bus,
    )


@pytest.fixture
def store(uow: MakeUow) -> Store:
    """``await store(tenant, user, ...)``: add them in one committed transaction (users get ``PASSWORD``'s hash)."""

    async def store(*rows: Tenant | User) -> None:
        async with uow() as work:
            for row in rows:
                if isinstance(row, Tenant):
                    await work.tenants.add(row)
                else:
                    await work.users.add(with_password(row))
            await work.commit()

    return store


@pytest.fixture
async def tenant(store: Store) -> Tenant:
    stored: Tenant = TenantFactory.build()
    await store(stored)
    return stored


@pytest.fixture
def make_user(store: Store) -> MakeUser:
    """``await make_user(tenant, "ann", roles=..., **fields)``: a stored user with email ``ann@example.com``."""

    async def make(tenant: Tenant, name: str, roles: Iterable[Role] = (Role.MEMBER,), **fields: Any) -> User:
        defaults = {"email": EmailAddress(f"{name}@example.com"), "username": Username(name)}
        user: User = UserFactory.build(tenant_id=tenant.id, roles=frozenset(roles), **(defaults | fields))
        await store(user)
        return user

    return make


@pytest.fixture
def statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """Every statement the engine sends from now on (``clear()`` it after warming up a connection)."""
    sent: list[str] = []

    def record(connection: Any, cursor: Any, statement: str, *args: Any) -> None:
        sent.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    yield sent
    event.remove(engine.sync_engine, "before_cursor_execute", record)
