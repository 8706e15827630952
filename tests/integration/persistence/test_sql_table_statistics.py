"""``TableStatistics`` refreshes the planner's statistics of the users table (an import calls it as the table grows),
at doubling chunk indexes."""

from __future__ import annotations

import pytest
from persistence_support import MakeUow, with_password
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from factories import UserFactory
from keel.domain.tenants import Tenant
from keel.infrastructure.persistence.table_statistics import TableStatistics, refreshes_statistics_after

pytestmark = pytest.mark.integration


async def _estimated_rows(engine: AsyncEngine) -> float:
    async with engine.connect() as connection:
        return float(
            (await connection.execute(text("SELECT reltuples FROM pg_class WHERE relname = 'users'"))).one()[0]
        )


async def test_a_refresh_gives_the_planner_the_users_table_as_it_is(
    uow: MakeUow, tenant: Tenant, engine: AsyncEngine
) -> None:
    async with uow() as work:
        await work.users.add_many([with_password(UserFactory.build(tenant_id=tenant.id)) for _ in range(250)])
        await work.commit()

    refreshed = await TableStatistics(engine).refresh_users()

    assert refreshed is True
    assert await _estimated_rows(engine) == 250.0  # a small table is read whole: the count is exact


def test_statistics_are_refreshed_each_time_an_import_has_doubled_its_chunks() -> None:
    assert [index for index in range(100) if refreshes_statistics_after(index)] == [0, 1, 3, 7, 15, 31, 63]
