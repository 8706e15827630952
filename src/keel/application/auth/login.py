"""Login: a tenant slug, an email and a password in, an access token out.

Every failure — unknown tenant (or a suspended one), malformed or unknown email, wrong password, disabled or deleted
user — is the same ``InvalidCredentials``, and takes about the same time: when there is no user to check against, the
password is verified against a dummy hash made with the current parameters. Only a non-deleted user is looked up: an
email held by one non-deleted user and by deleted ones logs in as the non-deleted one, and an email held by deleted
users only is unknown. The status is checked after the password,
for the same reason. A hash made with outdated parameters is replaced after a good log-in. The database is read in
one short transaction; hashing happens outside it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from keel.application.auth.errors import InvalidCredentials
from keel.application.ports import IssuedToken, PasswordHasher, TokenIssuer
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

    def __init__(self, uow: UnitOfWorkFactory, hasher: PasswordHasher, tokens: TokenIssuer) -> None:
        self._uow = uow
        self._hasher = hasher
        self._tokens = tokens
        self._dummy_hash: PasswordHash | None = None

    async def __call__(self, command: LoginCommand) -> IssuedToken:
        credentials = await self._find(command.tenant_slug, command.email)
        if credentials is None:
            await self._hasher.verify(await self._dummy(), command.password)
            raise InvalidCredentials
        if not await self._hasher.verify(credentials.password_hash, command.password):
            raise InvalidCredentials
        user = credentials.user
        if not user.is_active:
            raise InvalidCredentials
        if self._hasher.needs_rehash(credentials.password_hash):
            await self._rehash(credentials, command.password)
        return await self._tokens.issue(user)

    async def _find(self, tenant_slug: str, email: str) -> UserCredentials | None:
        try:
            slug, address = TenantSlug(tenant_slug), EmailAddress(email)
        except InvariantViolated:
            return None
        async with self._uow() as uow:
            tenant = await uow.tenants.get_by_slug(slug)
            if tenant is None or not tenant.is_active:
                return None
            return await uow.users.get_credentials(tenant.id, address)

    async def _rehash(self, credentials: UserCredentials, password: str) -> None:
        try:
            acceptable = Password(password)
        except InvariantViolated:
            return  # set before the current policy: keep the old hash until the user changes the password
        new_hash = await self._hasher.hash(acceptable)
        async with self._uow() as uow:
            await uow.users.replace_password_hash(credentials.user.tenant_id, credentials.user.id, new_hash)
            await uow.commit()

    async def _dummy(self) -> PasswordHash:
        if self._dummy_hash is None:
            self._dummy_hash = await self._hasher.hash(Password(secrets.token_urlsafe(32)))
        return self._dummy_hash
