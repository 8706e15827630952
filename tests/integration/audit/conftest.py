"""The audit log on the worker's migrated database (emptied after each test), written by units of work that run the
outbox and audit writers before commit, as ``Container.uow_factory`` builds them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from keel.application.audit import AuditPolicy, AuditWriter, ContextVarRequestContexts
from keel.application.events import InProcessEventBus
from keel.application.outbox import OutboxPolicy, OutboxWriter
from keel.application.unit_of_work import BeforeCommit
from keel.domain.ids import Uuid7Generator
from keel.infrastructure.database.engine import read_only_session_factory, session_factory
from keel.infrastructure.persistence import SqlAlchemyUnitOfWork

type MakeUow = Callable[..., SqlAlchemyUnitOfWork]


@pytest.fixture
async def engine(clean_database: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(clean_database, pool_size=4, max_overflow=0)
    yield engine
    await engine.dispose()


@pytest.fixture
def contexts() -> ContextVarRequestContexts:
    return ContextVarRequestContexts()


@pytest.fixture
def extra_before_commit() -> list[BeforeCommit]:
    """Handlers a test adds after the writers (e.g. one that fails the commit)."""
    return []


@pytest.fixture
def uow(
    engine: AsyncEngine, contexts: ContextVarRequestContexts, extra_before_commit: Sequence[BeforeCommit]
) -> MakeUow:
    ids = Uuid7Generator()
    sessions: async_sessionmaker[AsyncSession] = session_factory(engine)
    writers: list[BeforeCommit] = [OutboxWriter(OutboxPolicy(ids)), AuditWriter(AuditPolicy(ids, contexts))]

    def new_unit_of_work(*, read_only: bool = False) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(
            sessions,
            InProcessEventBus(),
            before_commit=[*writers, *extra_before_commit],
            read_only=read_only,
            read_only_session_factory=read_only_session_factory(engine),
        )

    return new_unit_of_work
