"""The token repositories on PostgreSQL: tokens found by digest only, spent and used by conditional writes, revoked by
family or user, purged after expiry; one-time tokens announce themselves after commit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from persistence_support import MakeUow, MakeUser

from keel.domain.auth import (
    OneTimeToken,
    OpaqueToken,
    PasswordResetRequested,
    RefreshToken,
    RevocationReason,
    TokenPurpose,
)
from keel.domain.events import DomainEvent
from keel.domain.ids import uuid7
from keel.domain.tenants import Tenant
from keel.domain.users import EmailAddress, User
from keel.infrastructure.migrations.connection import asyncpg_dsn

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
TTL = timedelta(days=30)


async def stored_refresh(uow: MakeUow, user: User, secret: OpaqueToken | None = None) -> tuple[RefreshToken, str]:
    secret = secret or OpaqueToken.new()
    token = RefreshToken.start_family(
        id=uuid7(), tenant_id=user.tenant_id, user_id=user.id, digest=secret.digest, now=NOW, ttl=TTL
    )
    async with uow() as work:
        await work.refresh_tokens.add(token)
        await work.commit()
    return token, secret.secret


async def test_a_refresh_token_is_stored_as_its_digest_and_read_back_whole(
    uow: MakeUow, tenant: Tenant, make_user: MakeUser, clean_database: str
) -> None:
    user = await make_user(tenant, "ann")
    token, secret = await stored_refresh(uow, user)
    async with uow(read_only=True) as work:
        assert await work.refresh_tokens.get(token.digest) == token
    connection = await asyncpg.connect(asyncpg_dsn(clean_database))
    try:
        row = await connection.fetchrow("SELECT * FROM refresh_tokens")
    finally:
        await connection.close()
    assert row is not None
    assert bytes(row["token_hash"]) == token.digest.value
    assert secret.encode() not in b"".join(str(value).encode() for value in row.values())


async def test_spend_succeeds_once_then_never_again(uow: MakeUow, tenant: Tenant, make_user: MakeUser) -> None:
    user = await make_user(tenant, "ann")
    token, _ = await stored_refresh(uow, user)
    successor = uuid7()
    async with uow() as work:
        spent = await work.refresh_tokens.spend(token.digest, now=NOW, replaced_by=successor)
        assert await work.refresh_tokens.spend(token.digest, now=NOW, replaced_by=uuid7()) is None
        await work.commit()
    assert spent is not None
    assert (spent.id, spent.spent_at, spent.replaced_by) == (token.id, NOW, successor)
    async with uow() as work:
        assert await work.refresh_tokens.spend(token.digest, now=NOW, replaced_by=uuid7()) is None


async def test_expired_and_revoked_tokens_cannot_be_spent(uow: MakeUow, tenant: Tenant, make_user: MakeUser) -> None:
    user = await make_user(tenant, "ann")
    expired, _ = await stored_refresh(uow, user)
    revoked, _ = await stored_refresh(uow, user)
    async with uow() as work:
        assert await work.refresh_tokens.spend(expired.digest, now=NOW + TTL, replaced_by=uuid7()) is None
        count = await work.refresh_tokens.revoke_family(
            revoked.family_id, tenant_id=user.tenant_id, user_id=user.id, now=NOW, reason=RevocationReason.LOGOUT
        )
        assert count == 1
        assert await work.refresh_tokens.spend(revoked.digest, now=NOW, replaced_by=uuid7()) is None
        await work.commit()
    async with uow(read_only=True) as work:
        stored = await work.refresh_tokens.get(revoked.digest)
    assert stored is not None
    assert (stored.revoked_at, stored.revoked_reason) == (NOW, RevocationReason.LOGOUT)


async def test_revocation_is_scoped_to_the_family_and_to_its_user(
    uow: MakeUow, tenant: Tenant, make_user: MakeUser
) -> None:
    ann, bob = await make_user(tenant, "ann"), await make_user(tenant, "bob")
    ann_first, _ = await stored_refresh(uow, ann)
    ann_second, _ = await stored_refresh(uow, ann)
    bob_token, _ = await stored_refresh(uow, bob)
    async with uow() as work:
        not_bobs = await work.refresh_tokens.revoke_family(
            bob_token.family_id, tenant_id=ann.tenant_id, user_id=ann.id, now=NOW, reason=RevocationReason.LOGOUT
        )
        everything_of_ann = await work.refresh_tokens.revoke_all_of_user(
            ann.tenant_id, ann.id, now=NOW, reason=RevocationReason.PASSWORD_RESET
        )
        again = await work.refresh_tokens.revoke_all_of_user(
            ann.tenant_id, ann.id, now=NOW, reason=RevocationReason.PASSWORD_RESET
        )
        await work.commit()
    assert (not_bobs, everything_of_ann, again) == (0, 2, 0)
    async with uow(read_only=True) as work:
        assert (await work.refresh_tokens.get(bob_token.digest)).is_usable(NOW)  # type: ignore[union-attr]
        for token in (ann_first, ann_second):
            stored = await work.refresh_tokens.get(token.digest)
            assert stored is not None
            assert stored.revoked_reason is RevocationReason.PASSWORD_RESET


def one_time(user: User, purpose: TokenPurpose, secret: OpaqueToken, now: datetime = NOW) -> OneTimeToken:
    return OneTimeToken.issue(id=uuid7(), user=user, purpose=purpose, secret=secret, now=now, ttl=timedelta(minutes=30))


async def test_a_one_time_token_is_announced_after_commit_and_used_once(
    uow: MakeUow, tenant: Tenant, make_user: MakeUser, published: list[DomainEvent]
) -> None:
    user = await make_user(tenant, "ann")
    secret = OpaqueToken.new()
    async with uow() as work:
        await work.one_time_tokens.add(one_time(user, TokenPurpose.PASSWORD_RESET, secret))
        assert not [event for event in published if isinstance(event, PasswordResetRequested)]
        await work.commit()
    [event] = [event for event in published if isinstance(event, PasswordResetRequested)]
    assert event.token == secret.secret
    async with uow(read_only=True) as work:
        found = await work.one_time_tokens.find_usable(secret.digest, TokenPurpose.PASSWORD_RESET, now=NOW)
        assert await work.one_time_tokens.find_usable(secret.digest, TokenPurpose.EMAIL_VERIFICATION, now=NOW) is None
    assert found is not None
    assert (found.user_id, found.email, found.pending_events) == (user.id, EmailAddress("ann@example.com"), ())
    async with uow() as work:
        assert await work.one_time_tokens.use(secret.digest, TokenPurpose.EMAIL_VERIFICATION, now=NOW) is None
        used = await work.one_time_tokens.use(secret.digest, TokenPurpose.PASSWORD_RESET, now=NOW)
        assert await work.one_time_tokens.use(secret.digest, TokenPurpose.PASSWORD_RESET, now=NOW) is None
        await work.commit()
    assert used is not None
    assert used.used_at == NOW


async def test_a_rolled_back_token_is_never_announced(
    uow: MakeUow, tenant: Tenant, make_user: MakeUser, published: list[DomainEvent]
) -> None:
    user = await make_user(tenant, "ann")
    published.clear()
    async with uow() as work:
        await work.one_time_tokens.add(one_time(user, TokenPurpose.EMAIL_VERIFICATION, OpaqueToken.new()))
    assert published == []


async def test_expired_tokens_cannot_be_used_and_outstanding_ones_can_be_set_aside(
    uow: MakeUow, tenant: Tenant, make_user: MakeUser
) -> None:
    user = await make_user(tenant, "ann")
    secrets = [OpaqueToken.new() for _ in range(3)]
    async with uow() as work:
        for secret in secrets[:2]:
            await work.one_time_tokens.add(one_time(user, TokenPurpose.PASSWORD_RESET, secret))
        await work.one_time_tokens.add(one_time(user, TokenPurpose.EMAIL_VERIFICATION, secrets[2]))
        await work.commit()
    async with uow() as work:
        late = NOW + timedelta(minutes=30)
        assert await work.one_time_tokens.use(secrets[0].digest, TokenPurpose.PASSWORD_RESET, now=late) is None
        set_aside = await work.one_time_tokens.set_aside_outstanding(
            user.tenant_id, user.id, TokenPurpose.PASSWORD_RESET, now=NOW
        )
        await work.commit()
    assert set_aside == 2
    async with uow(read_only=True) as work:
        assert await work.one_time_tokens.find_usable(secrets[1].digest, TokenPurpose.PASSWORD_RESET, now=NOW) is None
        assert await work.one_time_tokens.find_usable(secrets[2].digest, TokenPurpose.EMAIL_VERIFICATION, now=NOW)


async def test_expired_tokens_are_purged_and_live_ones_kept(uow: MakeUow, tenant: Tenant, make_user: MakeUser) -> None:
    user = await make_user(tenant, "ann")
    old, _ = await stored_refresh(uow, user)
    async with uow() as work:
        await work.one_time_tokens.add(one_time(user, TokenPurpose.PASSWORD_RESET, OpaqueToken.new()))
        await work.one_time_tokens.add(
            one_time(user, TokenPurpose.PASSWORD_RESET, OpaqueToken.new(), now=NOW + timedelta(days=1))
        )
        await work.commit()
    async with uow() as work:
        purged = (
            await work.refresh_tokens.delete_expired(before=NOW + TTL + timedelta(seconds=1)),
            await work.one_time_tokens.delete_expired(before=NOW + timedelta(hours=1)),
        )
        await work.commit()
    assert purged == (1, 1)
    async with uow(read_only=True) as work:
        assert await work.refresh_tokens.get(old.digest) is None


async def test_a_user_is_found_by_email_among_non_deleted_users_only(
    uow: MakeUow, tenant: Tenant, make_user: MakeUser
) -> None:
    await make_user(tenant, "old", email=EmailAddress("ann@example.com"), deleted_at=NOW)
    ann = await make_user(tenant, "ann")
    async with uow(read_only=True) as work:
        found = await work.users.get_by_email(tenant.id, EmailAddress("ANN@example.com"))
        assert await work.users.get_by_email(tenant.id, EmailAddress("nobody@example.com")) is None
        assert await work.users.get_by_email(uuid7(), EmailAddress("ann@example.com")) is None
    assert found == ann
    assert found is not None
    assert found.username == ann.username
