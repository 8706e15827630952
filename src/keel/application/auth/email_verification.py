"""Email verification: issue a token for the user's current address; verify the address with it.

``RequestEmailVerification`` is for whatever decides a user should verify their address — the API's
``POST /auth/verify-email/request`` for the caller, or a handler of ``UserCreated``. It stores a one-time token bound
to the user's current email and records ``EmailVerificationRequested``, which carries the token to that address.

``VerifyEmail`` uses the token (one conditional write) and sets the user's ``email_verified_at`` as one new version.
A token sent to an address the user no longer has verifies nothing; verifying an address already verified uses the
token and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from uuid import UUID

from keel.application.auth.one_time import token_holder
from keel.application.ports import Clock, IdGenerator
from keel.application.unit_of_work import UnitOfWorkFactory
from keel.application.users.preconditions import existing_user
from keel.domain.auth import EmailAlreadyVerified, OneTimeToken, OpaqueToken, TokenDigest, TokenPurpose

PURPOSE = TokenPurpose.EMAIL_VERIFICATION


@dataclass(frozen=True, kw_only=True)
class RequestEmailVerificationCommand:
    tenant_id: UUID
    user_id: UUID


class RequestEmailVerification:
    """``UserNotFound`` for a deleted or unknown user; ``EmailAlreadyVerified`` when there is nothing to verify."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator, *, ttl_seconds: int) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._ttl = timedelta(seconds=ttl_seconds)

    async def __call__(self, command: RequestEmailVerificationCommand) -> None:
        async with self._uow() as uow:
            user = await existing_user(uow.users, command.tenant_id, command.user_id)
            if user.email_verified_at is not None:
                raise EmailAlreadyVerified
            token = OneTimeToken.issue(
                id=self._ids.new_id(),
                user=user,
                purpose=PURPOSE,
                secret=OpaqueToken.new(),
                now=self._clock.now(),
                ttl=self._ttl,
            )
            await uow.one_time_tokens.add(token)
            await uow.commit()


@dataclass(frozen=True, kw_only=True)
class VerifyEmailCommand:
    token: str = field(repr=False)


class VerifyEmail:
    """``InvalidOneTimeToken`` for a token that is unknown, expired, used, or no longer applies."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, command: VerifyEmailCommand) -> None:
        now = self._clock.now()
        async with self._uow() as uow:
            token = await uow.one_time_tokens.use(TokenDigest.of(command.token), PURPOSE, now=now)
            user = await token_holder(uow, token, require_active=False)
            loaded_version = user.version
            if user.verify_email(now):
                await uow.users.save(user, expected_version=loaded_version)
            await uow.commit()
