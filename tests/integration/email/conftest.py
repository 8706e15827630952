"""Fixtures of the email tests: the SMTP sender pointed at the real SMTP server of ``smtp_server``, and the
PostgreSQL unit of work on the worker's migrated database (emptied after each test)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from email_support import MakeUow, MakeUser, email_settings
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from factories import TenantFactory, UserFactory
from fakes.clock import FakeClock
from fakes.passwords import fake_hash
from keel.application.events import InProcessEventBus
from keel.domain.tenants import Tenant
from keel.domain.users import EmailAddress, User, UserCredentials, Username
from keel.infrastructure.database.engine import session_factory
from keel.infrastructure.email.smtp import SmtpEmailSender
from keel.infrastructure.persistence import SqlAlchemyUnitOfWork
from support.smtp import SmtpServer


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sender(smtp_server: SmtpServer, clock: FakeClock) -> SmtpEmailSender:
    return SmtpEmailSender(email_settings(smtp_server.host, smtp_server.port), clock)


@pytest.fixture
async def engine(clean_database: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(clean_database, pool_size=10, max_overflow=0)
    yield engine
    await engine.dispose()


@pytest.fixture
def uow(engine: AsyncEngine) -> MakeUow:
    sessions = session_factory(engine)
    bus = InProcessEventBus()
    return lambda: SqlAlchemyUnitOfWork(sessions, bus)


@pytest.fixture
async def tenant(uow: MakeUow) -> Tenant:
    stored: Tenant = TenantFactory.build()
    async with uow() as work:
        await work.tenants.add(stored)
        await work.commit()
    return stored


@pytest.fixture
def make_user(uow: MakeUow, tenant: Tenant) -> MakeUser:
    """``await make_user("ann", **fields)``: a stored user of ``tenant`` with email ``ann@example.com``."""

    async def make(name: str, **fields: object) -> User:
        user: User = UserFactory.build(
            tenant_id=tenant.id, email=EmailAddress(f"{name}@example.com"), username=Username(name), **fields
        )
        async with uow() as work:
            await work.users.add(UserCredentials(user, fake_hash("correct horse battery staple")))
            await work.commit()
        return user

    return make
