"""Password reset: ask for a link by tenant and email; set a new password with the link's token.

``RequestPasswordReset`` never tells whether the account exists: it returns nothing either way, and the API answers
202 before the request is processed. For an active user of an active tenant it stores a one-time token (30 minutes
by default) and records ``PasswordResetRequested``, which carries the token to the email; for anyone else it does the
same reads and stores nothing.

``ResetPassword`` checks the new password against the policy first (a refused password leaves the token usable), then
that the token is usable — a cheap read — before spending the time to hash, then in one transaction: uses the token
(one conditional write: of concurrent resets with one token exactly one wins), stores the hash, sets aside the user's
other reset tokens and revokes every refresh-token family of the user: every session ends and must log in with the
new password. Access tokens already issued run until they expire (minutes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from keel.application.auth.errors import InvalidOneTimeToken
from keel.application.auth.one_time import token_holder
from keel.application.ports import Clock, IdGenerator, PasswordHasher
from keel.application.unit_of_work import UnitOfWorkFactory
from keel.domain.auth import OneTimeToken, OpaqueToken, RevocationReason, TokenDigest, TokenPurpose
from keel.domain.errors import InvariantViolated
from keel.domain.tenants import TenantSlug
from keel.domain.users import EmailAddress, Password

PURPOSE = TokenPurpose.PASSWORD_RESET


@dataclass(frozen=True, kw_only=True)
class RequestPasswordResetCommand:
    tenant_slug: str
    email: str


class RequestPasswordReset:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator, *, ttl_seconds: int) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._ttl = timedelta(seconds=ttl_seconds)

    async def __call__(self, command: RequestPasswordResetCommand) -> None:
        secret = OpaqueToken.new()  # made whether or not it is sent: the same work either way
        try:
            slug, address = TenantSlug(command.tenant_slug), EmailAddress(command.email)
        except InvariantViolated:
            return
        async with self._uow() as uow:
            tenant = await uow.tenants.get_by_slug(slug)
            user = await uow.users.get_by_email(tenant.id, address) if tenant is not None else None
            if tenant is None or not tenant.is_active or user is None or not user.is_active:
                return
            token = OneTimeToken.issue(
                id=self._ids.new_id(), user=user, purpose=PURPOSE, secret=secret, now=self._clock.now(), ttl=self._ttl
            )
            await uow.one_time_tokens.add(token)
            await uow.commit()


@dataclass(frozen=True, kw_only=True)
class ResetPasswordCommand:
    token: str = field(repr=False)
    new_password: str = field(repr=False)


class ResetPassword:
    def __init__(self, uow: UnitOfWorkFactory, hasher: PasswordHasher, clock: Clock) -> None:
        self._uow = uow
        self._hasher = hasher
        self._clock = clock

    async def __call__(self, command: ResetPasswordCommand) -> None:
        password = Password(command.new_password)
        digest = TokenDigest.of(command.token)
        async with self._uow(read_only=True) as uow:
            if await uow.one_time_tokens.find_usable(digest, PURPOSE, now=self._clock.now()) is None:
                raise InvalidOneTimeToken
        new_hash = await self._hasher.hash(password)
        now = self._clock.now()
        async with self._uow() as uow:
            token = await uow.one_time_tokens.use(digest, PURPOSE, now=now)
            user = await token_holder(uow, token, require_active=True)
            await uow.users.replace_password_hash(user.tenant_id, user.id, new_hash)
            await uow.one_time_tokens.set_aside_outstanding(user.tenant_id, user.id, PURPOSE, now=now)
            await uow.refresh_tokens.revoke_all_of_user(
                user.tenant_id, user.id, now=now, reason=RevocationReason.PASSWORD_RESET
            )
            await uow.commit()
