"""The users repository port. Every method is scoped to a tenant: another tenant's user is simply not found — except
``lock_deleted_before``, the maintenance purge's, which looks across tenants.

Uniqueness of email and username per tenant holds among non-deleted users only — partial unique indexes on
``(tenant_id, email)`` and ``(tenant_id, username)`` ``WHERE deleted_at IS NULL`` — so soft-deleting a user frees their
email and username, and several users (at most one of them non-deleted) may share one. It is the database's job: a
write that breaks it (an insert, an update, a restore) raises ``EmailAlreadyUsed`` or ``UsernameAlreadyUsed`` — at the
write or at commit.
Every method is one statement (or a bounded few) whatever the number of users involved.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Sequence
from datetime import datetime
from uuid import UUID

from keel.application.ports.repository import Repository
from keel.application.users.query import UserQuery
from keel.domain.users import EmailAddress, PasswordHash, TakenIdentities, User, UserCredentials, Username


class UserRepository(Repository[User], ABC):
    """Implementations subclass this and define the abstract methods; the public write methods record the written
    users for the unit of work. It satisfies the domain's ``IdentityLookup`` and ``OwnerCount``."""

    async def add(self, new_user: UserCredentials) -> None:
        """Store a new user with their password hash."""
        await self._add(new_user)
        self._remember([new_user.user])

    async def add_many(self, new_users: Sequence[UserCredentials]) -> None:
        """Store new users with their password hashes in one bulk statement."""
        if not new_users:
            return
        await self._add_many(new_users)
        self._remember(new_user.user for new_user in new_users)

    async def save(self, user: User, *, expected_version: int) -> None:
        """Write the user's current state if the stored row is still at ``expected_version`` (the version it was
        loaded at); otherwise raise ``VersionConflict`` (``UserNotFound`` if the row is gone). Compare-and-set, so
        two concurrent changes cannot both win."""
        await self._save(user, expected_version=expected_version)
        self._remember([user])

    async def purge(self, users: Sequence[User]) -> int:
        """Remove the rows of these deleted users for good (their refresh and one-time tokens go with them, by
        cascade); the number removed. Each user should have recorded ``UserPurged`` (``User.purge``) first."""
        if not users:
            return 0
        purged = await self._purge(users)
        self._remember(users)
        return purged

    @abstractmethod
    async def get(self, tenant_id: UUID, user_id: UUID, *, include_deleted: bool = False) -> User | None: ...

    @abstractmethod
    async def lock_deleted_before(self, deleted_before: datetime, *, limit: int) -> Sequence[User]:
        """Maintenance only, across tenants: up to ``limit`` users deleted before ``deleted_before``, oldest deletion
        first, locked until the transaction ends — rows another transaction holds are skipped (``SKIP LOCKED``), so
        concurrent purges take different users and never wait for each other."""

    @abstractmethod
    async def find(self, tenant_id: UUID, query: UserQuery, *, limit: int) -> Sequence[User]:
        """Up to ``limit`` users matching the query's filters, after its cursor, in its order (see ``UserQuery``).

        Filters: ``status``, ``role`` (held among others), ``q`` (case-insensitive substring of email, username or
        full name; ``%`` and ``_`` match literally), deleted users only with ``include_deleted``.
        """

    @abstractmethod
    async def existing_emails_and_usernames(
        self, tenant_id: UUID, emails: Collection[EmailAddress], usernames: Collection[Username]
    ) -> TakenIdentities:
        """Which of the given emails and usernames a non-deleted user of the tenant has, in one query. Deleted users
        are ignored: their email and username are free."""

    @abstractmethod
    async def count_active_owners(self, tenant_id: UUID) -> int:
        """Active, non-deleted users holding ``owner``; lock those rows (``FOR UPDATE``) so that concurrent
        demotions of the last two owners serialise."""

    @abstractmethod
    async def get_credentials(self, tenant_id: UUID, email: EmailAddress) -> UserCredentials | None:
        """The non-deleted user with this email (there is at most one) and their password hash, whatever their
        status: log-in decides. ``None`` when no non-deleted user has it, even if deleted users do — a deleted user
        cannot log in anyway. The only read that returns a password hash."""

    @abstractmethod
    async def get_by_email(self, tenant_id: UUID, email: EmailAddress) -> User | None:
        """The non-deleted user with this email (there is at most one), without the password hash."""

    @abstractmethod
    async def replace_password_hash(self, tenant_id: UUID, user_id: UUID, password_hash: PasswordHash) -> None:
        """Store a new password hash: of the same password (rehash on log-in) or of a new one (password reset). The
        hash is not part of ``User``: no new version, nothing cached changes."""

    @abstractmethod
    async def _add(self, new_user: UserCredentials) -> None: ...

    @abstractmethod
    async def _add_many(self, new_users: Sequence[UserCredentials]) -> None: ...

    @abstractmethod
    async def _save(self, user: User, *, expected_version: int) -> None: ...

    @abstractmethod
    async def _purge(self, users: Sequence[User]) -> int: ...
