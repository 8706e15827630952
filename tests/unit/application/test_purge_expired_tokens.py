"""PurgeExpiredTokens: tokens expired longer ago than the trail is kept go; the others stay."""

from __future__ import annotations

from datetime import timedelta

from auth_support import log_in, request_reset

from fakes.world import REFRESH_TTL_SECONDS, World
from keel.application.auth import PurgeExpiredTokens, RequestPasswordResetCommand


async def test_only_tokens_expired_before_the_kept_trail_are_deleted(world: World) -> None:
    user = world.user(world.tenant("acme"), "ann")
    await log_in(world, user)
    await request_reset(world)(RequestPasswordResetCommand(tenant_slug="acme", email="ann@example.com"))
    world.clock.advance(seconds=REFRESH_TTL_SECONDS + 3600)
    recent = await log_in(world, user)
    purge = PurgeExpiredTokens(world.uow, world.clock, keep_for=timedelta(minutes=30))
    purged = await purge()
    assert (purged.refresh_tokens, purged.one_time_tokens) == (1, 1)
    assert [token.expires_at for token in world.db.refresh_tokens.values()] == [
        world.clock.now() + timedelta(seconds=recent.refresh_expires_in)
    ]
    assert world.db.one_time_tokens == {}
    assert await purge() == purged.__class__(refresh_tokens=0, one_time_tokens=0)
