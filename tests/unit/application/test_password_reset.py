"""Password reset: a token for active accounts only, with nothing to tell the caller; a reset uses it once, sets the
password and ends every session."""

from __future__ import annotations

from datetime import timedelta

import pytest
from auth_support import RESET_TTL_SECONDS, log_in, refresh_session, request_reset, request_verification, reset_password

from fakes.passwords import fake_hash
from fakes.world import World
from keel.application.auth import (
    InvalidOneTimeToken,
    InvalidRefreshToken,
    RefreshCommand,
    RequestEmailVerificationCommand,
    RequestPasswordResetCommand,
    ResetPasswordCommand,
)
from keel.domain.auth import (
    EmailVerificationRequested,
    PasswordResetRequested,
    RevocationReason,
    TokenDigest,
    TokenPurpose,
)
from keel.domain.tenants import TenantStatus
from keel.domain.users import EmailAddress, UserStatus, WeakPassword

NEW_PASSWORD = "a brand new passphrase"


async def requested_token(world: World, email: str = "ann@example.com") -> str:
    await request_reset(world)(RequestPasswordResetCommand(tenant_slug="acme", email=email))
    return world.bus.of_type(PasswordResetRequested)[-1].token


async def test_a_request_for_an_active_user_stores_a_digest_and_announces_the_token(world: World) -> None:
    user = world.user(world.tenant("acme"), "ann")
    await request_reset(world)(RequestPasswordResetCommand(tenant_slug="acme", email=" Ann@Example.com "))
    [event] = world.bus.of_type(PasswordResetRequested)
    [token] = world.db.one_time_tokens.values()
    assert (event.tenant_id, event.user_id, event.email) == (user.tenant_id, user.id, "ann@example.com")
    assert event.expires_at == world.clock.now() + timedelta(seconds=RESET_TTL_SECONDS) == token.expires_at
    assert token.digest == TokenDigest.of(event.token)
    assert token.purpose is TokenPurpose.PASSWORD_RESET
    assert event.token not in repr(event)
    assert event.token not in repr(token)
    assert len(event.token) >= 43


@pytest.mark.parametrize(
    ("slug", "email"),
    [
        ("acme", "nobody@example.com"),
        ("nowhere", "ann@example.com"),
        ("Not A Slug", "ann@example.com"),
        ("acme", "not an email"),
        ("acme", "disabled@example.com"),
        ("acme", "deleted@example.com"),
        ("paused", "ann@example.com"),
    ],
)
async def test_a_request_for_anyone_else_stores_and_announces_nothing_and_says_nothing(
    world: World, slug: str, email: str
) -> None:
    acme = world.tenant("acme")
    world.user(acme, "ann")
    world.user(acme, "disabled", status=UserStatus.DISABLED)
    world.user(acme, "deleted", deleted_at=world.clock.now())
    world.user(world.tenant("paused", status=TenantStatus.SUSPENDED), "ann")
    assert await request_reset(world)(RequestPasswordResetCommand(tenant_slug=slug, email=email)) is None
    assert world.db.one_time_tokens == {}
    assert world.bus.published == []


async def test_a_reset_sets_the_password_uses_the_token_and_ends_every_session(world: World) -> None:
    user = world.user(world.tenant("acme"), "ann")
    sessions = [await log_in(world, user), await log_in(world, user)]
    older, token = await requested_token(world), await requested_token(world)
    await reset_password(world)(ResetPasswordCommand(token=token, new_password=NEW_PASSWORD))
    assert world.db.password_hashes[user.id] == fake_hash(NEW_PASSWORD)
    assert all(t.revoked_reason is RevocationReason.PASSWORD_RESET for t in world.db.refresh_tokens.values())
    for session in sessions:
        with pytest.raises(InvalidRefreshToken):
            await refresh_session(world)(RefreshCommand(refresh_token=session.refresh_token))
    assert all(t.used_at == world.clock.now() for t in world.db.one_time_tokens.values())
    for used in (token, older):  # the one used, and the older link set aside with it
        with pytest.raises(InvalidOneTimeToken):
            await reset_password(world)(ResetPasswordCommand(token=used, new_password=NEW_PASSWORD))


async def test_an_expired_token_resets_nothing(world: World) -> None:
    user = world.user(world.tenant("acme"), "ann")
    token = await requested_token(world)
    world.clock.advance(seconds=RESET_TTL_SECONDS)
    with pytest.raises(InvalidOneTimeToken):
        await reset_password(world)(ResetPasswordCommand(token=token, new_password=NEW_PASSWORD))
    assert world.db.password_hashes[user.id] != fake_hash(NEW_PASSWORD)
    assert world.hasher.hashed == 0, "no hashing for a token that cannot be used"


async def test_a_refused_password_keeps_the_token_usable(world: World) -> None:
    user = world.user(world.tenant("acme"), "ann")
    token = await requested_token(world)
    with pytest.raises(WeakPassword):
        await reset_password(world)(ResetPasswordCommand(token=token, new_password="short"))
    await reset_password(world)(ResetPasswordCommand(token=token, new_password=NEW_PASSWORD))
    assert world.db.password_hashes[user.id] == fake_hash(NEW_PASSWORD)


async def test_unknown_tokens_and_tokens_of_another_purpose_are_refused(world: World) -> None:
    user = world.user(world.tenant("acme"), "ann")
    await request_verification(world)(RequestEmailVerificationCommand(tenant_id=user.tenant_id, user_id=user.id))
    verification = world.bus.of_type(EmailVerificationRequested)[-1].token
    for token in ("unknown", verification):
        with pytest.raises(InvalidOneTimeToken) as caught:
            await reset_password(world)(ResetPasswordCommand(token=token, new_password=NEW_PASSWORD))
        assert caught.value.code == "invalid_token"
    assert world.hasher.hashed == 0


@pytest.mark.parametrize("change", ["disabled", "deleted", "email_changed", "tenant_suspended"])
async def test_a_token_no_longer_applies_once_its_user_changed(world: World, change: str) -> None:
    acme = world.tenant("acme")
    user = world.user(acme, "ann")
    token = await requested_token(world)
    stored = world.db.users[user.id]
    match change:
        case "disabled":
            stored.status = UserStatus.DISABLED
        case "deleted":
            stored.deleted_at = world.clock.now()
        case "email_changed":
            stored.email = EmailAddress("ann.new@example.com")
        case _:
            world.db.tenants[acme.id].status = TenantStatus.SUSPENDED
    with pytest.raises(InvalidOneTimeToken):
        await reset_password(world)(ResetPasswordCommand(token=token, new_password=NEW_PASSWORD))
    assert world.db.password_hashes[user.id] != fake_hash(NEW_PASSWORD)
    assert all(t.used_at is None for t in world.db.one_time_tokens.values()), "the refusal wrote nothing"
    assert NEW_PASSWORD not in repr(ResetPasswordCommand(token=token, new_password=NEW_PASSWORD))
