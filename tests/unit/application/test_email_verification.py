"""Email verification: a token bound to the user's current address; using it verifies that address, once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from auth_support import VERIFICATION_TTL_SECONDS, request_reset, request_verification, verify_email

from fakes.world import World
from keel.application.auth import (
    InvalidOneTimeToken,
    RequestEmailVerificationCommand,
    RequestPasswordResetCommand,
    VerifyEmailCommand,
)
from keel.domain.auth import EmailAlreadyVerified, EmailVerificationRequested, PasswordResetRequested, TokenDigest
from keel.domain.users import EmailAddress, User, UserNotFound, UserUpdated


async def requested_token(world: World, user: User) -> str:
    await request_verification(world)(RequestEmailVerificationCommand(tenant_id=user.tenant_id, user_id=user.id))
    return world.bus.of_type(EmailVerificationRequested)[-1].token


async def test_a_request_stores_a_digest_bound_to_the_current_address_and_announces_the_token(world: World) -> None:
    user = world.user(world.tenant("acme"), "ann")
    token = await requested_token(world, user)
    [event] = world.bus.of_type(EmailVerificationRequested)
    [stored] = world.db.one_time_tokens.values()
    assert (event.tenant_id, event.user_id, event.email) == (user.tenant_id, user.id, "ann@example.com")
    assert stored.email == user.email
    assert stored.digest == TokenDigest.of(token)
    assert stored.expires_at == world.clock.now() + timedelta(seconds=VERIFICATION_TTL_SECONDS)


async def test_verifying_sets_the_time_as_a_new_version_and_uses_the_token(world: World) -> None:
    user = world.user(world.tenant("acme"), "ann")
    token = await requested_token(world, user)
    world.clock.advance(minutes=5)
    await verify_email(world)(VerifyEmailCommand(token=token))
    verified = world.stored(user)
    assert verified.email_verified_at == world.clock.now()
    assert verified.version == user.version + 1
    [update] = world.bus.of_type(UserUpdated)
    assert update.changed_fields == ("email_verified_at",)
    with pytest.raises(InvalidOneTimeToken):
        await verify_email(world)(VerifyEmailCommand(token=token))


async def test_an_address_already_verified_needs_no_token(world: World) -> None:
    user = world.user(world.tenant("acme"), "ann", email_verified_at=world.clock.now())
    with pytest.raises(EmailAlreadyVerified) as caught:
        await request_verification(world)(RequestEmailVerificationCommand(tenant_id=user.tenant_id, user_id=user.id))
    assert caught.value.code == "email_already_verified"
    assert world.db.one_time_tokens == {}


async def test_a_second_token_for_an_address_verified_meanwhile_is_used_and_changes_nothing(world: World) -> None:
    user = world.user(world.tenant("acme"), "ann")
    first, second = await requested_token(world, user), await requested_token(world, user)
    await verify_email(world)(VerifyEmailCommand(token=first))
    await verify_email(world)(VerifyEmailCommand(token=second))
    assert world.stored(user).version == user.version + 1
    assert all(token.used_at is not None for token in world.db.one_time_tokens.values())


async def test_no_token_for_a_deleted_or_unknown_user(world: World) -> None:
    acme = world.tenant("acme")
    deleted = world.user(acme, "gone", deleted_at=world.clock.now())
    for user_id in (deleted.id, world.ids.new_id()):
        with pytest.raises(UserNotFound):
            await request_verification(world)(RequestEmailVerificationCommand(tenant_id=acme.id, user_id=user_id))


async def test_a_token_sent_to_a_former_address_verifies_nothing(world: World) -> None:
    user = world.user(world.tenant("acme"), "ann")
    token = await requested_token(world, user)
    world.db.users[user.id].email = EmailAddress("ann.new@example.com")
    with pytest.raises(InvalidOneTimeToken):
        await verify_email(world)(VerifyEmailCommand(token=token))
    assert world.stored(user).email_verified_at is None


async def test_expired_unknown_and_reset_tokens_are_refused(world: World) -> None:
    user = world.user(world.tenant("acme"), "ann")
    expired = await requested_token(world, user)
    await request_reset(world)(RequestPasswordResetCommand(tenant_slug="acme", email="ann@example.com"))
    reset = world.bus.of_type(PasswordResetRequested)[-1].token
    world.clock.advance(seconds=VERIFICATION_TTL_SECONDS)
    for token in (expired, "unknown", reset):
        with pytest.raises(InvalidOneTimeToken):
            await verify_email(world)(VerifyEmailCommand(token=token))
    assert world.stored(user).email_verified_at is None
