"""Logout: end the caller's session — its refresh tokens and the access token the caller presented.

The access token is denied first (``AccessTokenDenylist``: in this process at once, elsewhere within the
propagation delay), so it stops working even if the database is down; then the session's refresh-token family is
revoked — the one the access token names (``sid``) and, when the body carries a refresh token of the same user from
another session, that one's too. A refresh token of another user is ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from keel.application.ports import AccessTokenClaims, AccessTokenDenylist, Clock
from keel.application.unit_of_work import UnitOfWorkFactory
from keel.domain.auth import RevocationReason, TokenDigest


@dataclass(frozen=True, kw_only=True)
class LogoutCommand:
    access: AccessTokenClaims
    """The verified access token the caller presented."""
    refresh_token: str | None = field(default=None, repr=False)


class Logout:
    def __init__(self, uow: UnitOfWorkFactory, denylist: AccessTokenDenylist, clock: Clock) -> None:
        self._uow = uow
        self._denylist = denylist
        self._clock = clock

    async def __call__(self, command: LogoutCommand) -> None:
        access, actor = command.access, command.access.actor
        await self._denylist.deny(access.token_id, access.valid_until)
        families = {access.session_id}
        now = self._clock.now()
        async with self._uow() as uow:
            if command.refresh_token:
                presented = await uow.refresh_tokens.get(TokenDigest.of(command.refresh_token))
                if presented is not None and (presented.tenant_id, presented.user_id) == (
                    actor.tenant_id,
                    actor.user_id,
                ):
                    families.add(presented.family_id)
            for family_id in sorted(families):  # a fixed order: concurrent logouts lock rows alike
                await uow.refresh_tokens.revoke_family(
                    family_id, tenant_id=actor.tenant_id, user_id=actor.user_id, now=now, reason=RevocationReason.LOGOUT
                )
            await uow.commit()
