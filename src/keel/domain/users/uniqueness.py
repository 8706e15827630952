"""Unique email and username within a tenant: the domain service that checks before writing.

The database's unique constraints are what guarantee uniqueness — two requests can pass this check at once, and the
later write then fails with the same ``EmailAlreadyUsed``/``UsernameAlreadyUsed``. This check exists to answer early
and to report every problem of a batch in one set-based query.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from keel.domain.users.email import EmailAddress
from keel.domain.users.errors import EmailAlreadyUsed, UsernameAlreadyUsed
from keel.domain.users.username import Username


@dataclass(frozen=True, slots=True)
class TakenIdentities:
    """Which of the asked-about emails and usernames some user of the tenant (deleted ones included) already has."""

    emails: frozenset[EmailAddress] = frozenset()
    usernames: frozenset[Username] = frozenset()


class IdentityLookup(Protocol):
    """What the policy needs from storage; the users repository provides it."""

    async def existing_emails_and_usernames(
        self, tenant_id: UUID, emails: Collection[EmailAddress], usernames: Collection[Username]
    ) -> TakenIdentities:
        """The given emails and usernames already used in the tenant, in one set-based query."""
        ...


class UniqueIdentityPolicy:
    def __init__(self, lookup: IdentityLookup) -> None:
        self._lookup = lookup

    async def ensure_available(
        self, tenant_id: UUID, *, email: EmailAddress | None = None, username: Username | None = None
    ) -> None:
        """Raise ``EmailAlreadyUsed`` or ``UsernameAlreadyUsed`` if the given email or username is taken.

        Pass only new values: a user's own current email is of course "taken".
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

    async def taken(
        self, tenant_id: UUID, emails: Collection[EmailAddress], usernames: Collection[Username]
    ) -> TakenIdentities:
        if not emails and not usernames:
            return TakenIdentities()
        return await self._lookup.existing_emails_and_usernames(tenant_id, emails, usernames)
