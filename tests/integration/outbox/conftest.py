"""The outbox on the worker's migrated database (emptied after each test): units of work that write it as the
container's do, the relay's store, and a clock the relay reads (moved by the tests to pass backoffs)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from outbox_support import AddMessages, MakeUow
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from fakes.clock import FakeClock
from keel.application.events import InProcessEventBus
from keel.application.outbox import OutboxMessage, OutboxPolicy, OutboxWriter
from keel.container import unit_of_work_factory
from keel.domain.ids import Uuid7Generator
from keel.infrastructure.database.engine import read_only_session_factory, session_factory
from keel.infrastructure.outbox import SqlAlchemyOutboxStore


@pytest.fixture
async def engine(clean_database: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(clean_database, pool_size=6, max_overflow=0)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return session_factory(engine)


@pytest.fixture
def uow(sessions: async_sessionmaker[AsyncSession]) -> MakeUow:
    """Units of work with the outbox writer before commit, as ``Container.uow_factory`` builds them."""
    writer = OutboxWriter(OutboxPolicy(Uuid7Generator()))
    return unit_of_work_factory(
        session_factory=sessions,
        read_only_session_factory=read_only_session_factory(sessions.kw["bind"]),
        event_bus=InProcessEventBus(),
        before_commit=[writer],
    )


@pytest.fixture
def add_messages(uow: MakeUow) -> AddMessages:
    """``await add_messages(messages)``: commit them through ``uow.outbox``, as the writer does."""

    async def add(messages: list[OutboxMessage]) -> list[OutboxMessage]:
        async with uow() as work:
            await work.outbox.add(messages)
            await work.commit()
        return messages

    return add


@pytest.fixture
def store(sessions: async_sessionmaker[AsyncSession]) -> SqlAlchemyOutboxStore:
    return SqlAlchemyOutboxStore(sessions)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """Every statement the engine sends from now on."""
    sent: list[str] = []

    def record(connection: Any, cursor: Any, statement: str, *args: Any) -> None:
        sent.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    yield sent
    event.remove(engine.sync_engine, "before_cursor_execute", record)
