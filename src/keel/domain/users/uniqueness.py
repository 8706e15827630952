"""Unique email and username within a tenant: the domain service that checks before writing.

Uniqueness holds among non-deleted users only: soft-deleting a user frees their email and username for another user,
and restoring them later needs both to be free again. The database's partial unique indexes (``(tenant_id, email)``
and ``(tenant_id, username)`` ``WHERE deleted_at IS NULL``) are what guarantee it — two requests can pass this check
at once, and the later write then fails with the same ``EmailAlreadyUsed``/``UsernameAlreadyUsed``. This check exists
to answer early and to report every problem of a batch in one set-based query.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from keel.domain.users.email import EmailAddress
from keel.domain.users.errors import EmailAlreadyUsed, UsernameAlreadyUsed
from keel.domain.users.user import User
from keel.domain.users.username import Username


@dataclass(frozen=True, slots=True)
class TakenIdentities:
    """Which of the asked-about emails and usernames a non-deleted user of the tenant already has."""

    emails: frozenset[EmailAddress] = frozenset()
    usernames: frozenset[Username] = frozenset()


class IdentityLookup(Protocol):
    """What the policy needs from storage; the users repository provides it."""

    async def existing_emails_and_usernames(
        self, tenant_id: UUID, emails: Collection[EmailAddress], usernames: Collection[Username]
    ) -> TakenIdentities:
        """The given emails and usernames held by non-deleted users of the tenant, in one set-based query."""
        ...


class UniqueIdentityPolicy:
    def __init__(self, lookup: IdentityLookup) -> None:
        self._lookup = lookup

    async def ensure_available(
        self, tenant_id: UUID, *, email: EmailAddress | None = None, username: Username | None = None
    ) -> None:
        """Raise ``EmailAlreadyUsed`` or ``UsernameAlreadyUsed`` if the given email or username is taken.

        Pass only new values: a non-deleted user's own current email is of course "taken".
        """
        if email is None and username is None:
            return
        taken = await self.taken(
            tenant_id, [email] if email is not None else [], [username] if username is not None else []
        )
        if email in taken.emails:
            raise EmailAlreadyUsed
        if username in taken.usernames:
            raise UsernameAlreadyUsed

    async def ensure_may_restore(self, user: User) -> None:
        """Before restoring the deleted ``user``: raise ``EmailAlreadyUsed`` or ``UsernameAlreadyUsed`` if a
        non-deleted user now holds their email or username. ``user`` itself, being deleted, is never counted."""
        if user.is_deleted:
            await self.ensure_available(user.tenant_id, email=user.email, username=user.username)

    async def taken(
        self, tenant_id: UUID, emails: Collection[EmailAddress], usernames: Collection[Username]
    ) -> TakenIdentities:
        if not emails and not usernames:
            return TakenIdentities()
        return await self._lookup.existing_emails_and_usernames(tenant_id, emails, usernames)
