"""PurgeExpiredTokens: delete refresh and one-time tokens that expired long enough ago to be of no further use.

An expired token is refused whether or not its row exists; keeping the rows for ``keep_for`` after expiry leaves a
trail for investigating a session (which family, revoked why) before it goes. Run it from a scheduled job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from keel.application.ports import Clock
from keel.application.unit_of_work import UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class PurgedTokens:
    refresh_tokens: int
    one_time_tokens: int


class PurgeExpiredTokens:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, *, keep_for: timedelta = timedelta(days=7)) -> None:
        self._uow = uow
        self._clock = clock
        self._keep_for = keep_for

    async def __call__(self) -> PurgedTokens:
        before = self._clock.now() - self._keep_for
        async with self._uow() as uow:
            refresh_tokens = await uow.refresh_tokens.delete_expired(before=before)
            one_time_tokens = await uow.one_time_tokens.delete_expired(before=before)
            await uow.commit()
        return PurgedTokens(refresh_tokens=refresh_tokens, one_time_tokens=one_time_tokens)
