"""Logout: the presented access token is denied until it would have expired; the session's refresh tokens revoked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from auth_support import log_in, logout, refresh_session

from fakes.world import World, actor
from keel.application.auth import InvalidRefreshToken, IssuedTokens, LogoutCommand, RefreshCommand
from keel.application.ports import AccessTokenClaims
from keel.domain.auth import RefreshToken, RevocationReason, TokenDigest
from keel.domain.users import User


def stored(world: World, tokens: IssuedTokens) -> RefreshToken:
    digest = TokenDigest.of(tokens.refresh_token)
    return next(t for t in world.db.refresh_tokens.values() if t.digest == digest)


def access_of(world: World, user: User, tokens: IssuedTokens, token_id: str = "jti-1") -> AccessTokenClaims:
    """What the verifier would say of the access token issued with ``tokens``."""
    return AccessTokenClaims(
        actor=actor(user),
        token_id=token_id,
        session_id=stored(world, tokens).family_id,
        valid_until=world.clock.now() + timedelta(minutes=15),
    )


async def test_logout_denies_the_access_token_until_it_expires_and_ends_the_session(world: World) -> None:
    user = world.user(world.tenant("acme"), "ann")
    session, other = await log_in(world, user), await log_in(world, user)
    access = access_of(world, user, session)
    await logout(world)(LogoutCommand(access=access))
    assert world.denylist.denied == {"jti-1": access.valid_until}
    assert stored(world, session).revoked_reason is RevocationReason.LOGOUT
    with pytest.raises(InvalidRefreshToken):
        await refresh_session(world)(RefreshCommand(refresh_token=session.refresh_token))
    assert stored(world, other).is_usable(world.clock.now()), "the user's other sessions go on"


async def test_every_token_of_the_session_is_revoked_after_refreshes(world: World) -> None:
    user = world.user(world.tenant("acme"), "ann")
    first = await log_in(world, user)
    latest = await refresh_session(world)(RefreshCommand(refresh_token=first.refresh_token))
    await logout(world)(LogoutCommand(access=access_of(world, user, latest)))
    family = stored(world, first).family_id
    assert all(t.is_revoked for t in world.db.refresh_tokens.values() if t.family_id == family)


async def test_a_refresh_token_in_the_body_ends_its_session_too(world: World) -> None:
    user = world.user(world.tenant("acme"), "ann")
    current, lost = await log_in(world, user), await log_in(world, user)
    await logout(world)(LogoutCommand(access=access_of(world, user, current), refresh_token=lost.refresh_token))
    assert stored(world, current).revoked_reason is RevocationReason.LOGOUT
    assert stored(world, lost).revoked_reason is RevocationReason.LOGOUT


async def test_another_users_refresh_token_in_the_body_is_ignored(world: World) -> None:
    acme = world.tenant("acme")
    ann, bob = world.user(acme, "ann"), world.user(acme, "bob")
    ann_session, bob_session = await log_in(world, ann), await log_in(world, bob)
    await logout(world)(
        LogoutCommand(access=access_of(world, ann, ann_session), refresh_token=bob_session.refresh_token)
    )
    assert stored(world, bob_session).is_usable(world.clock.now())
    assert stored(world, ann_session).is_revoked


async def test_an_unknown_refresh_token_in_the_body_changes_nothing_more(world: World) -> None:
    user = world.user(world.tenant("acme"), "ann")
    session = await log_in(world, user)
    await logout(world)(LogoutCommand(access=access_of(world, user, session), refresh_token="nothing we issued"))
    assert stored(world, session).is_revoked
    command = LogoutCommand(access=access_of(world, user, session), refresh_token="a-refresh-token-text")
    assert "a-refresh-token-text" not in repr(command)
