"""``keel tokens purge`` as a scheduled job runs it: expired tokens older than the kept trail go, the rest stay."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from factories import TenantFactory, UserFactory
from fakes.passwords import fake_hash
from keel.application.events import InProcessEventBus
from keel.domain.auth import OpaqueToken, RefreshToken
from keel.domain.ids import uuid7
from keel.domain.tenants import Tenant
from keel.domain.users import User, UserCredentials
from keel.infrastructure.database.engine import session_factory
from keel.infrastructure.persistence import SqlAlchemyUnitOfWork

pytestmark = pytest.mark.integration


async def test_purge_deletes_only_tokens_expired_before_the_kept_days(clean_database: str, redis_url: str) -> None:
    engine = create_async_engine(clean_database)
    uow = SqlAlchemyUnitOfWork(session_factory(engine), InProcessEventBus())
    tenant: Tenant = TenantFactory.build()
    user: User = UserFactory.build(tenant_id=tenant.id)
    now = datetime.now(UTC)
    expired_long_ago, expired_recently, live = (
        RefreshToken.start_family(
            id=uuid7(), tenant_id=tenant.id, user_id=user.id, digest=OpaqueToken.new().digest, now=issued, ttl=ttl
        )
        for issued, ttl in (
            (now - timedelta(days=40), timedelta(days=30)),
            (now - timedelta(days=31), timedelta(days=30)),
            (now, timedelta(days=30)),
        )
    )
    async with uow:
        await uow.tenants.add(tenant)
        await uow.users.add(UserCredentials(user, fake_hash("a password long enough")))
        for token in (expired_long_ago, expired_recently, live):
            await uow.refresh_tokens.add(token)
        await uow.commit()
    environment = {name: value for name, value in os.environ.items() if not name.startswith("KEEL_")} | {
        "KEEL_ENVIRONMENT": "test",
        "KEEL_DATABASE__URL": clean_database,
        "KEEL_CACHE__URL": redis_url,
        "KEEL_OBSERVABILITY__LOG_LEVEL": "WARNING",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "keel", "tokens", "purge", "--keep-days", "7", env=environment,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    stdout, stderr = await process.communicate()
    assert (process.returncode, stderr.decode()) == (0, "")
    assert stdout.decode() == "deleted 1 refresh token(s) and 0 one-time token(s)\n"
    async with SqlAlchemyUnitOfWork(session_factory(engine), InProcessEventBus()) as work:
        remaining = [
            await work.refresh_tokens.get(token.digest) for token in (expired_long_ago, expired_recently, live)
        ]
    await engine.dispose()
    assert [token is not None for token in remaining] == [False, True, True]
