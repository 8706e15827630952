"""Login: a tenant slug, an email and a password in; an access token and the first refresh token of a session out.

Every failure — unknown tenant (or a suspended one), malformed or unknown email, wrong password, disabled or deleted
user — is the same ``InvalidCredentials``, and takes about the same time: when there is no user to check against, the
password is verified against a dummy hash made with the current parameters. Only a non-deleted user is looked up: an
email held by one non-deleted user and by deleted ones logs in as the non-deleted one, and an email held by deleted
users only is unknown. The status is checked after the password,
for the same reason. The database is read in one short transaction; hashing happens outside it. A second transaction
stores the session's first refresh token and, when the stored hash was made with outdated parameters, its
replacement.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from keel.application.auth.errors import InvalidCredentials
from keel.application.auth.sessions import IssuedTokens, SessionTokens
from keel.application.ports import Clock, PasswordHasher
from keel.application.unit_of_work import UnitOfWorkFactory
from keel.domain.errors import InvariantViolated
from keel.domain.tenants import TenantSlug
from keel.domain.users import EmailAddress, Password, PasswordHash, UserCredentials


@dataclass(frozen=True, kw_only=True)
class LoginCommand:
    tenant_slug: str
    email: str
    password: str = field(repr=False)


class Login:
    """Keep one instance per process (a singleton in the container): it makes its dummy hash once."""

    def __init__(self, uow: UnitOfWorkFactory, hasher: PasswordHasher, sessions: SessionTokens, clock: Clock) -> None:
        self._uow = uow
        self._hasher = hasher
        self._sessions = sessions
        self._clock = clock
        self._dummy_hash: PasswordHash | None = None

    async def __call__(self, command: LoginCommand) -> IssuedTokens:
        credentials = await self._find(command.tenant_slug, command.email)
        if credentials is None:
            await self._hasher.verify(await self._dummy(), command.password)
            raise InvalidCredentials
        if not await self._hasher.verify(credentials.password_hash, command.password):
            raise InvalidCredentials
        user = credentials.user
        if not user.is_active:
            raise InvalidCredentials
        new_hash = await self._rehash(credentials, command.password)
        refresh = self._sessions.start(user, self._clock.now())
        async with self._uow() as uow:
            await uow.refresh_tokens.add(refresh.record)
            if new_hash is not None:
                await uow.users.replace_password_hash(user.tenant_id, user.id, new_hash)
            await uow.commit()
        return await self._sessions.pair(user, refresh)

    async def _find(self, tenant_slug: str, email: str) -> UserCredentials | None:
        try:
            slug, address = TenantSlug(tenant_slug), EmailAddress(email)
        except InvariantViolated:
            return None
        async with self._uow(read_only=True) as uow:
            tenant = await uow.tenants.get_by_slug(slug)
            if tenant is None or not tenant.is_active:
                return None
            return await uow.users.get_credentials(tenant.id, address)

    async def _rehash(self, credentials: UserCredentials, password: str) -> PasswordHash | None:
        """A hash with the current parameters when the stored one is outdated; ``None`` when it is current, or when
        the password was set before the current policy (the old hash stays until the user changes it)."""
        if not self._hasher.needs_rehash(credentials.password_hash):
            return None
        try:
            acceptable = Password(password)
        except InvariantViolated:
            return None
        return await self._hasher.hash(acceptable)

    async def _dummy(self) -> PasswordHash:
        if self._dummy_hash is None:
            self._dummy_hash = await self._hasher.hash(Password(secrets.token_urlsafe(32)))
        return self._dummy_hash
