"""Read-only units of work: a read is one round trip to PostgreSQL (no BEGIN, no ROLLBACK), and nothing can be
written through one — the session refuses the statement before it reaches the server."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from persistence_support import MakeUow, MakeUser, with_password
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from factories import UserFactory
from keel.application.unit_of_work import ReadOnlyUnitOfWork
from keel.application.users import UserQuery
from keel.domain.tenants import Tenant
from keel.infrastructure.database.engine import ReadOnlyWriteAttempted

pytestmark = pytest.mark.integration


@pytest.fixture
def transaction_control(engine: AsyncEngine) -> Iterator[list[str]]:
    """The simple queries the driver sends from the next checkout on: BEGIN, COMMIT, ROLLBACK (the statements
    SQLAlchemy prepares are in ``statements``)."""
    sent: list[str] = []
    logged: list[Any] = []

    def record(query: Any) -> None:
        sent.append(query.query.strip())

    def log_queries(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        driver = dbapi_connection.driver_connection
        if driver not in logged:
            driver.add_query_logger(record)
            logged.append(driver)

    event.listen(engine.sync_engine, "checkout", log_queries)
    yield sent
    event.remove(engine.sync_engine, "checkout", log_queries)
    for driver in logged:
        driver.remove_query_logger(record)


async def _logged() -> None:
    """Let asyncpg's query loggers run: it calls them soon after each query, not during it."""
    for _ in range(5):
        await asyncio.sleep(0)


async def test_a_read_only_read_is_a_single_statement(
    uow: MakeUow, tenant: Tenant, make_user: MakeUser, transaction_control: list[str], statements: list[str]
) -> None:
    user = await make_user(tenant, "ann")
    await _logged()
    transaction_control.clear()
    statements.clear()

    async with uow(read_only=True) as work:
        assert await work.users.get(tenant.id, user.id) == user
    await _logged()

    assert transaction_control == []
    assert len(statements) == 1
    assert statements[0].startswith("SELECT")


async def test_a_read_write_read_pays_for_its_transaction(
    uow: MakeUow, tenant: Tenant, make_user: MakeUser, transaction_control: list[str], statements: list[str]
) -> None:
    user = await make_user(tenant, "ann")
    await _logged()
    transaction_control.clear()
    statements.clear()

    async with uow() as work:
        assert await work.users.get(tenant.id, user.id) == user
    await _logged()

    assert [query.rstrip(";") for query in transaction_control] == ["BEGIN", "ROLLBACK"]
    assert len(statements) == 1


async def test_a_read_only_unit_of_work_sees_what_was_committed_before_each_statement(
    uow: MakeUow, tenant: Tenant, make_user: MakeUser
) -> None:
    first = await make_user(tenant, "ann")
    async with uow(read_only=True) as reader:
        assert [found.id for found in await reader.users.find(tenant.id, UserQuery(), limit=10)] == [first.id]
        second = await make_user(tenant, "bob")  # committed by another unit of work while the reader is open
        found = await reader.users.find(tenant.id, UserQuery(), limit=10)
    assert {user.id for user in found} == {first.id, second.id}


async def test_nothing_can_be_written_through_a_read_only_unit_of_work(uow: MakeUow, tenant: Tenant) -> None:
    user = UserFactory.build(tenant_id=tenant.id)
    async with uow(read_only=True) as work:
        with pytest.raises(ReadOnlyWriteAttempted):
            await work.users.add(with_password(user))
        with pytest.raises(ReadOnlyUnitOfWork):
            await work.commit()

    async with uow() as work:
        assert await work.users.get(tenant.id, user.id) is None
