"""The atomic spend and use on PostgreSQL, under real concurrency: eight transactions, one token, exactly one wins.

Each contender opens its own transaction (its own connection), then all of them issue the conditional ``UPDATE`` at
once; the row lock makes them queue, and each one after the first finds the token already spent or used.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from persistence_support import MakeUow, MakeUser
from sqlalchemy.ext.asyncio import create_async_engine

from fakes.clock import FakeClock
from fakes.tokens import FakeTokenIssuer
from keel.application.auth import (
    InvalidOneTimeToken,
    InvalidRefreshToken,
    IssuedTokens,
    RefreshCommand,
    RefreshSession,
    SessionTokens,
    VerifyEmail,
    VerifyEmailCommand,
)
from keel.application.events import InProcessEventBus
from keel.domain.auth import OneTimeToken, OpaqueToken, RefreshToken, RevocationReason, TokenDigest, TokenPurpose
from keel.domain.ids import Uuid7Generator, uuid7
from keel.domain.tenants import Tenant
from keel.infrastructure.database.engine import read_only_session_factory, session_factory
from keel.infrastructure.persistence import SqlAlchemyUnitOfWork

pytestmark = pytest.mark.integration

CONTENDERS = 8
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


@pytest.fixture
async def wide_uow(clean_database: str) -> AsyncIterator[MakeUow]:
    """Units of work on a pool with a connection for every contender (the shared fixture's pool is smaller)."""
    engine = create_async_engine(clean_database, pool_size=CONTENDERS + 2, max_overflow=0, pool_timeout=10)
    sessions, autocommit_sessions = session_factory(engine), read_only_session_factory(engine)
    bus = InProcessEventBus()

    def new_unit_of_work(*, read_only: bool = False) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(sessions, bus, read_only=read_only, read_only_session_factory=autocommit_sessions)

    yield new_unit_of_work
    await engine.dispose()


async def test_of_eight_concurrent_spends_of_one_token_exactly_one_succeeds(
    wide_uow: MakeUow, tenant: Tenant, make_user: MakeUser
) -> None:
    uow = wide_uow
    user = await make_user(tenant, "ann")
    secret = OpaqueToken.new()
    token = RefreshToken.start_family(
        id=uuid7(), tenant_id=tenant.id, user_id=user.id, digest=secret.digest, now=NOW, ttl=timedelta(days=1)
    )
    async with uow() as work:
        await work.refresh_tokens.add(token)
        await work.commit()
    ready = asyncio.Barrier(CONTENDERS)

    async def contend() -> RefreshToken | None:
        async with uow() as work:
            await work.tenants.get(tenant.id)  # the transaction holds its connection before the race starts
            async with asyncio.timeout(30):
                await ready.wait()
            spent = await work.refresh_tokens.spend(secret.digest, now=NOW, replaced_by=uuid7())
            await work.commit()
            return spent

    results = await asyncio.gather(*(contend() for _ in range(CONTENDERS)))
    assert sum(result is not None for result in results) == 1


async def test_of_eight_concurrent_refreshes_with_one_token_exactly_one_gets_tokens(
    wide_uow: MakeUow, tenant: Tenant, make_user: MakeUser
) -> None:
    uow = wide_uow
    user = await make_user(tenant, "ann")
    clock = FakeClock(NOW)
    sessions = SessionTokens(FakeTokenIssuer(), Uuid7Generator(), refresh_ttl_seconds=3600)
    start = sessions.start(user, NOW)
    async with uow() as work:
        await work.refresh_tokens.add(start.record)
        await work.commit()
    refresh = RefreshSession(uow, sessions, clock)
    results = await asyncio.gather(
        *(refresh(RefreshCommand(refresh_token=start.secret.secret)) for _ in range(CONTENDERS)),
        return_exceptions=True,
    )
    winners = [result for result in results if isinstance(result, IssuedTokens)]
    assert len(winners) == 1
    assert all(isinstance(result, InvalidRefreshToken) for result in results if result not in winners)
    # The losers presented a token already spent: to the server that is a replay, so the family ends (the client
    # keeps one refresh in flight per session).
    async with uow(read_only=True) as work:
        newest = await work.refresh_tokens.get(TokenDigest.of(winners[0].refresh_token))
    assert newest is not None
    assert newest.revoked_reason is RevocationReason.REUSE_DETECTED


async def test_of_eight_concurrent_verifications_with_one_token_exactly_one_verifies(
    wide_uow: MakeUow, tenant: Tenant, make_user: MakeUser
) -> None:
    uow = wide_uow
    user = await make_user(tenant, "ann")
    secret = OpaqueToken.new()
    async with uow() as work:
        await work.one_time_tokens.add(
            OneTimeToken.issue(
                id=uuid7(),
                user=user,
                purpose=TokenPurpose.EMAIL_VERIFICATION,
                secret=secret,
                now=NOW,
                ttl=timedelta(minutes=30),
            )
        )
        await work.commit()
    verify = VerifyEmail(uow, FakeClock(NOW))
    results = await asyncio.gather(
        *(verify(VerifyEmailCommand(token=secret.secret)) for _ in range(CONTENDERS)), return_exceptions=True
    )
    assert results.count(None) == 1
    assert all(isinstance(result, InvalidOneTimeToken) for result in results if result is not None)
    async with uow(read_only=True) as work:
        verified = await work.users.get(tenant.id, user.id)
    assert verified is not None
    assert verified.version == user.version + 1
