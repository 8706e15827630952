"""RefreshSession: rotation within a family; a replayed token revokes its family; one error for every refusal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from auth_support import log_in, refresh_session

from fakes.world import REFRESH_TTL_SECONDS, World
from keel.application.auth import InvalidRefreshToken, RefreshCommand
from keel.application.errors import AuthenticationRequired
from keel.domain.auth import RefreshToken, RevocationReason, TokenDigest
from keel.domain.tenants import TenantStatus
from keel.domain.users import UserStatus


def stored(world: World, token: str) -> RefreshToken:
    digest = TokenDigest.of(token)
    return next(t for t in world.db.refresh_tokens.values() if t.digest == digest)


async def test_a_refresh_spends_the_token_and_issues_its_successor_in_the_same_session(world: World) -> None:
    user = world.user(world.tenant("acme"), "ann")
    first = await log_in(world, user)
    world.clock.advance(minutes=20)
    second = await refresh_session(world)(RefreshCommand(refresh_token=first.refresh_token))
    old, new = stored(world, first.refresh_token), stored(world, second.refresh_token)
    assert second.refresh_token != first.refresh_token
    assert (old.spent_at, old.replaced_by) == (world.clock.now(), new.id)
    assert new.family_id == old.family_id
    assert new.is_usable(world.clock.now())
    assert new.expires_at == world.clock.now() + timedelta(seconds=REFRESH_TTL_SECONDS)
    assert second.access.access_token == f"token-for:{user.id}"
    assert world.tokens.sessions == [old.family_id, old.family_id]


async def test_the_successor_refreshes_again_and_the_chain_goes_on(world: World) -> None:
    user = world.user(world.tenant("acme"), "ann")
    tokens = await log_in(world, user)
    for _ in range(3):
        tokens = await refresh_session(world)(RefreshCommand(refresh_token=tokens.refresh_token))
    assert len(world.db.refresh_tokens) == 4
    assert len({token.family_id for token in world.db.refresh_tokens.values()}) == 1
    assert sum(token.is_usable(world.clock.now()) for token in world.db.refresh_tokens.values()) == 1


async def test_replaying_a_spent_token_revokes_the_whole_family(world: World) -> None:
    user = world.user(world.tenant("acme"), "ann")
    first = await log_in(world, user)
    other_session = await log_in(world, user)
    second = await refresh_session(world)(RefreshCommand(refresh_token=first.refresh_token))
    with pytest.raises(InvalidRefreshToken):
        await refresh_session(world)(RefreshCommand(refresh_token=first.refresh_token))
    family = stored(world, first.refresh_token).family_id
    revoked = [token for token in world.db.refresh_tokens.values() if token.family_id == family]
    assert len(revoked) == 2
    assert all(token.revoked_reason is RevocationReason.REUSE_DETECTED for token in revoked)
    with pytest.raises(InvalidRefreshToken):  # the newest token of the family is dead too: its holder logs in again
        await refresh_session(world)(RefreshCommand(refresh_token=second.refresh_token))
    assert stored(world, other_session.refresh_token).is_usable(world.clock.now()), "other sessions are untouched"


async def test_an_unknown_token_is_refused_without_any_write(world: World) -> None:
    world.user(world.tenant("acme"), "ann")
    with pytest.raises(InvalidRefreshToken):
        await refresh_session(world)(RefreshCommand(refresh_token="not-a-token-we-issued"))
    assert world.db.commits == 0


async def test_an_expired_token_is_refused_and_its_family_kept(world: World) -> None:
    user = world.user(world.tenant("acme"), "ann")
    tokens = await log_in(world, user)
    world.clock.advance(seconds=REFRESH_TTL_SECONDS)
    with pytest.raises(InvalidRefreshToken):
        await refresh_session(world)(RefreshCommand(refresh_token=tokens.refresh_token))
    token = stored(world, tokens.refresh_token)
    assert not token.is_spent
    assert not token.is_revoked


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"status": UserStatus.DISABLED}, id="disabled"),
        pytest.param({"deleted_at": "now"}, id="deleted"),
    ],
)
async def test_a_user_who_may_no_longer_log_in_cannot_refresh_and_the_session_ends(
    world: World, change: dict[str, object]
) -> None:
    acme = world.tenant("acme")
    user = world.user(acme, "ann")
    tokens = await log_in(world, user)
    values = {key: world.clock.now() if value == "now" else value for key, value in change.items()}
    world.db.users[user.id] = world.user(acme, "ann", id=user.id, **values)
    with pytest.raises(InvalidRefreshToken):
        await refresh_session(world)(RefreshCommand(refresh_token=tokens.refresh_token))
    assert stored(world, tokens.refresh_token).revoked_reason is RevocationReason.USER_INACTIVE
    assert world.tokens.issued_to == [user.id], "no access token after the log-in"


async def test_a_suspended_tenant_cannot_refresh(world: World) -> None:
    acme = world.tenant("acme")
    user = world.user(acme, "ann")
    tokens = await log_in(world, user)
    world.db.tenants[acme.id].status = TenantStatus.SUSPENDED
    with pytest.raises(InvalidRefreshToken):
        await refresh_session(world)(RefreshCommand(refresh_token=tokens.refresh_token))
    assert stored(world, tokens.refresh_token).revoked_reason is RevocationReason.USER_INACTIVE


async def test_every_refusal_is_the_same_error(world: World) -> None:
    user = world.user(world.tenant("acme"), "ann")
    tokens = await log_in(world, user)
    await refresh_session(world)(RefreshCommand(refresh_token=tokens.refresh_token))
    errors = []
    for presented in ("unknown", tokens.refresh_token, f"token-for:{user.id}"):
        with pytest.raises(InvalidRefreshToken) as caught:
            await refresh_session(world)(RefreshCommand(refresh_token=presented))
        errors.append((caught.value.code, caught.value.detail))
    assert errors == [("invalid_refresh_token", InvalidRefreshToken().detail)] * 3
    assert isinstance(InvalidRefreshToken(), AuthenticationRequired)
    assert tokens.refresh_token not in repr(RefreshCommand(refresh_token=tokens.refresh_token))
