"""The PostgreSQL unit of work: one transaction, events only after it commits, and a clear 503-kind error when the
database cannot be reached."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from persistence_support import MakeUow, MakeUser, with_password
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from factories import UserFactory
from keel.application.errors import DependencyUnavailable
from keel.application.events import InProcessEventBus
from keel.application.unit_of_work import UnitOfWork
from keel.application.users import UserRepository
from keel.domain.events import DomainEvent
from keel.domain.ids import uuid7
from keel.domain.tenants import Tenant, TenantCreated, TenantSlug
from keel.domain.users import EmailAddress, EmailAlreadyUsed, Role, User, UserCreated, Username, UserUpdated
from keel.infrastructure.database.engine import session_factory
from keel.infrastructure.persistence import SqlAlchemyUnitOfWork, SqlAlchemyUserRepository
from keel.infrastructure.persistence.statements import LazySession, Statements

pytestmark = pytest.mark.integration

NOW = datetime(2025, 6, 1, tzinfo=UTC)


async def test_leaving_without_commit_stores_nothing_and_publishes_nothing(
    uow: MakeUow, published: list[DomainEvent]
) -> None:
    tenant = Tenant.create(id=uuid7(), slug=TenantSlug("fresh"), name="Acme", now=NOW)
    async with uow() as work:
        await work.tenants.add(tenant)
        assert await work.tenants.get(tenant.id) is not None  # visible inside its own transaction

    async with uow() as work:
        assert await work.tenants.get(tenant.id) is None
    assert published == []


async def test_an_error_inside_the_block_rolls_back(uow: MakeUow, tenant: Tenant) -> None:
    user: User = UserFactory.build(tenant_id=tenant.id)

    async def add_then_fail() -> None:
        async with uow() as work:
            await work.users.add(with_password(user))
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await add_then_fail()
    async with uow() as work:
        assert await work.users.get(tenant.id, user.id) is None


async def test_events_are_published_after_the_commit_in_the_order_recorded(
    uow: MakeUow, sessions: async_sessionmaker[AsyncSession], published: list[DomainEvent]
) -> None:
    tenant = Tenant.create(id=uuid7(), slug=TenantSlug("fresh"), name="Acme", now=NOW)
    seen_by_handler: list[bool] = []

    async def handler_reads_committed_state(event: DomainEvent) -> None:
        async with sessions() as session:  # another connection: sees only what was committed
            row = await session.execute(text("SELECT 1 FROM tenants WHERE id = :id"), {"id": tenant.id})
            seen_by_handler.append(row.first() is not None)

    bus = InProcessEventBus()
    bus.subscribe(TenantCreated, handler_reads_committed_state)
    bus.subscribe(DomainEvent, lambda event: _append(published, event))

    async with SqlAlchemyUnitOfWork(sessions, bus) as work:
        user = User.register(
            id=uuid7(),
            tenant_id=tenant.id,
            email=EmailAddress("ada@example.com"),
            username=Username("ada"),
            roles=frozenset({Role.OWNER}),
            now=NOW,
        )
        await work.tenants.add(tenant)
        await work.users.add(with_password(user))
        user.rename("Ada", NOW)
        await work.users.save(user, expected_version=1)
        assert published == []
        await work.commit()

    assert [type(event) for event in published] == [TenantCreated, UserCreated, UserUpdated]
    assert seen_by_handler == [True]


async def _append(events: list[DomainEvent], event: DomainEvent) -> None:
    events.append(event)


async def test_after_a_failed_write_a_rollback_lets_the_block_go_on(
    uow: MakeUow, tenant: Tenant, make_user: MakeUser, published: list[DomainEvent]
) -> None:
    ann = await make_user(tenant, "ann")

    def newcomer(email: EmailAddress, username: str) -> User:
        return User.register(
            id=uuid7(),
            tenant_id=tenant.id,
            email=email,
            username=Username(username),
            roles=ann.roles,
            now=NOW,
        )

    clash, fine = newcomer(ann.email, "clash"), newcomer(EmailAddress("fine@example.com"), "fine")
    async with uow() as work:
        with pytest.raises(EmailAlreadyUsed):
            await work.users.add(with_password(clash))
        await work.rollback()
        await work.users.add(with_password(fine))
        await work.commit()

    assert [(type(event), getattr(event, "user_id", None)) for event in published] == [(UserCreated, fine.id)]


async def test_after_commit_callbacks_run_only_after_a_commit(uow: MakeUow) -> None:
    ran: list[str] = []

    async def note(label: str) -> None:
        ran.append(label)

    async with uow() as work:
        work.after_commit(lambda: note("rolled back"))
    async with uow() as work:
        work.after_commit(lambda: note("committed"))
        await work.commit()
    assert ran == ["committed"]


async def test_the_users_repository_can_be_replaced_per_unit_of_work(
    sessions: async_sessionmaker[AsyncSession], bus: InProcessEventBus, tenant: Tenant
) -> None:
    built: list[tuple[Statements, UnitOfWork]] = []

    def wrapped(statements: Statements, uow: UnitOfWork) -> UserRepository:
        built.append((statements, uow))
        return SqlAlchemyUserRepository(statements)

    work = SqlAlchemyUnitOfWork(sessions, bus, user_repository=wrapped)
    async with work:
        await work.users.add(with_password(UserFactory.build(tenant_id=tenant.id)))
        await work.commit()

    ((statements, owner),) = built
    assert owner is work
    assert isinstance(statements, LazySession)
    assert statements.session is None  # closed with the unit of work


async def test_a_unit_of_work_that_runs_no_statement_opens_no_session(
    sessions: async_sessionmaker[AsyncSession], bus: InProcessEventBus, engine: AsyncEngine
) -> None:
    built: list[Statements] = []

    def recording(statements: Statements, uow: UnitOfWork) -> UserRepository:
        built.append(statements)
        return SqlAlchemyUserRepository(statements)

    async with SqlAlchemyUnitOfWork(sessions, bus, user_repository=recording) as work:
        await work.commit()  # nothing to commit

    (statements,) = built
    assert isinstance(statements, LazySession)
    assert statements.session is None
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]


async def test_each_unit_of_work_returns_its_connection(uow: MakeUow, engine: AsyncEngine, tenant: Tenant) -> None:
    async with uow() as work:
        await work.tenants.get(tenant.id)
        assert engine.pool.checkedout() == 1  # type: ignore[attr-defined]
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]


async def test_an_unreachable_database_is_a_dependency_unavailable(bus: InProcessEventBus) -> None:
    # Nothing listens on port 1; the refusal comes at once.
    engine = create_async_engine("postgresql+asyncpg://postgres@127.0.0.1:1/keel", connect_args={"timeout": 2})
    try:
        async with SqlAlchemyUnitOfWork(session_factory(engine), bus) as work:  # no connection taken yet
            with pytest.raises(DependencyUnavailable) as raised:
                await work.tenants.get(uuid7())
    finally:
        await engine.dispose()
    assert raised.value.retry_after_seconds > 0


async def test_an_exhausted_pool_is_a_dependency_unavailable(clean_database: str, bus: InProcessEventBus) -> None:
    engine = create_async_engine(clean_database, pool_size=1, max_overflow=0, pool_timeout=0.1)
    sessions = session_factory(engine)
    try:
        async with SqlAlchemyUnitOfWork(sessions, bus) as holder:
            await holder.tenants.get(uuid7())  # holds the only connection
            async with SqlAlchemyUnitOfWork(sessions, bus) as waiter:
                with pytest.raises(DependencyUnavailable):
                    await waiter.tenants.get(uuid7())
    finally:
        await engine.dispose()


async def test_a_connection_lost_mid_transaction_is_a_dependency_unavailable(
    uow: MakeUow, engine: AsyncEngine, tenant: Tenant
) -> None:
    async with uow() as work:
        await work.tenants.get(tenant.id)
        async with engine.connect() as killer:
            await killer.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
        with pytest.raises(DependencyUnavailable):
            await work.tenants.get(tenant.id)
