"""The check the one-time-token use cases share: whom a used token still applies to."""

from __future__ import annotations

from keel.application.auth.errors import InvalidOneTimeToken
from keel.application.unit_of_work import UnitOfWork
from keel.domain.auth import OneTimeToken
from keel.domain.users import User


async def token_holder(uow: UnitOfWork, token: OneTimeToken | None, *, require_active: bool) -> User:
    """The user ``token`` was issued to, if it still applies: the user is not deleted and still has the address the
    token was sent to (and, with ``require_active``, is active in an active tenant). ``InvalidOneTimeToken``
    otherwise, and for no token at all."""
    if token is None:
        raise InvalidOneTimeToken
    user = await uow.users.get(token.tenant_id, token.user_id)
    if user is None or user.email != token.email:
        raise InvalidOneTimeToken
    if require_active:
        tenant = await uow.tenants.get(token.tenant_id)
        if not user.is_active or tenant is None or not tenant.is_active:
            raise InvalidOneTimeToken
    return user
