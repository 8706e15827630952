"""RefreshSession: a usable refresh token in; a new access token and the token's successor out (RFC 9700 rotation).

In one transaction: the presented token is spent by one conditional write (``spend``), its user is checked, and its
successor is stored in the same family. Of concurrent refreshes with one token exactly one spends it; the others find
it spent.

Refusals, all the same ``InvalidRefreshToken`` (401) to the client:

- unknown, expired or revoked token: refused;
- a token already spent — a replay: its whole family is revoked (``reuse_detected``) and the revocation committed,
  so the holder of the newest token must log in again as well. Two requests racing with one token count as a replay:
  a client keeps one refresh in flight per session;
- the user is deleted or disabled, or the tenant suspended: the family is revoked (``user_inactive``).

The new access token carries the user's current roles: a role change takes effect at the next refresh.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from keel.application.auth.errors import InvalidRefreshToken
from keel.application.auth.sessions import IssuedTokens, SessionTokens
from keel.application.ports import Clock
from keel.application.unit_of_work import UnitOfWork, UnitOfWorkFactory
from keel.domain.auth import RefreshToken, RevocationReason, TokenDigest
from keel.domain.users import User

logger = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class RefreshCommand:
    refresh_token: str = field(repr=False)


class RefreshSession:
    def __init__(self, uow: UnitOfWorkFactory, sessions: SessionTokens, clock: Clock) -> None:
        self._uow = uow
        self._sessions = sessions
        self._clock = clock

    async def __call__(self, command: RefreshCommand) -> IssuedTokens:
        digest = TokenDigest.of(command.refresh_token)
        now = self._clock.now()
        successor_id = self._sessions.next_id()
        async with self._uow() as uow:
            spent = await uow.refresh_tokens.spend(digest, now=now, replaced_by=successor_id)
            if spent is None:
                await self._refuse(uow, digest)
                raise InvalidRefreshToken
            user = await self._active_user(uow, spent)
            if user is None:
                await self._revoke(uow, spent, RevocationReason.USER_INACTIVE)
                raise InvalidRefreshToken
            successor = self._sessions.successor(spent, successor_id, now)
            await uow.refresh_tokens.add(successor.record)
            await uow.commit()
        return await self._sessions.pair(user, successor)

    async def _refuse(self, uow: UnitOfWork, digest: TokenDigest) -> None:
        """Revoke the family of a replayed (spent) token; anything else is refused without a write."""
        known = await uow.refresh_tokens.get(digest)
        if known is None or not known.is_spent:
            logger.info("Refresh refused: unknown, expired or revoked token")
            return
        await self._revoke(uow, known, RevocationReason.REUSE_DETECTED)
        logger.warning(
            "Refresh token replayed: family %s revoked",
            known.family_id,
            extra={"family_id": str(known.family_id), "user_id": str(known.user_id)},
        )

    async def _revoke(self, uow: UnitOfWork, token: RefreshToken, reason: RevocationReason) -> None:
        await uow.refresh_tokens.revoke_family(
            token.family_id, tenant_id=token.tenant_id, user_id=token.user_id, now=self._clock.now(), reason=reason
        )
        await uow.commit()

    @staticmethod
    async def _active_user(uow: UnitOfWork, token: RefreshToken) -> User | None:
        tenant = await uow.tenants.get(token.tenant_id)
        if tenant is None or not tenant.is_active:
            return None
        user = await uow.users.get(token.tenant_id, token.user_id)
        return user if user is not None and user.is_active else None
