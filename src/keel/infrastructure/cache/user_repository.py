"""``CachedUserRepository``: the users port, reading single users through Redis and invalidating after commit.

It wraps another ``UserRepository`` (the SQL one) behind the same port, one per unit of work:

- ``get`` reads through ``UserCacheStore``; the cache holds the row whatever its deletion state (the store loads with
  ``include_deleted=True``), and ``include_deleted`` is applied here, so both kinds of read share one entry.
- A user written in this unit of work is read from ``inner`` only, never from or into the cache: the transaction sees
  its own uncommitted change, which must not be served to others or survive a rollback. A ``get`` before the write
  may fill the cache — with the committed row, which it is until the commit, and the commit invalidates it.
- ``add``/``add_many``/``save``/``purge`` delegate, remember the ids, and register an after-commit callback that
  deletes every id written so far in one Redis call (the first callback to run does it; later ones find nothing
  left). Rolled back, nothing is deleted — nothing changed. Added users are invalidated too: cheap, and it also ends
  any lease a reader took while probing the id before it existed; purged users too: their rows are gone.
- Everything else (``find``, credentials, lookups by email, owner counts, identity checks, new password hashes) goes
  straight to ``inner``: lists and log-ins must see the database, and ``replace_password_hash`` changes nothing the
  cache holds.

A stale cached copy cannot corrupt a write: ``save`` is compare-and-set on the version the user was loaded at.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from functools import partial
from uuid import UUID

from keel.application.unit_of_work import AfterCommit, UnitOfWork
from keel.application.users import UserQuery, UserRepository
from keel.domain.users import EmailAddress, PasswordHash, TakenIdentities, User, UserCredentials, Username
from keel.infrastructure.cache.user_store import UserCacheStore


class CachedUserRepository(UserRepository):
    def __init__(
        self, inner: UserRepository, store: UserCacheStore, after_commit: Callable[[AfterCommit], None]
    ) -> None:
        super().__init__()
        self._inner = inner
        self._store = store
        self._after_commit = after_commit
        self._changed: set[tuple[UUID, UUID]] = set()
        self._to_invalidate: set[tuple[UUID, UUID]] = set()

    async def get(self, tenant_id: UUID, user_id: UUID, *, include_deleted: bool = False) -> User | None:
        if (tenant_id, user_id) in self._changed:
            return await self._inner.get(tenant_id, user_id, include_deleted=include_deleted)
        user = await self._store.get(
            tenant_id, user_id, partial(self._inner.get, tenant_id, user_id, include_deleted=True)
        )
        if user is None or (user.is_deleted and not include_deleted):
            return None
        return user

    async def find(self, tenant_id: UUID, query: UserQuery, *, limit: int) -> Sequence[User]:
        return await self._inner.find(tenant_id, query, limit=limit)

    async def existing_emails_and_usernames(
        self, tenant_id: UUID, emails: Collection[EmailAddress], usernames: Collection[Username]
    ) -> TakenIdentities:
        return await self._inner.existing_emails_and_usernames(tenant_id, emails, usernames)

    async def count_active_owners(self, tenant_id: UUID) -> int:
        return await self._inner.count_active_owners(tenant_id)

    async def get_credentials(self, tenant_id: UUID, email: EmailAddress) -> UserCredentials | None:
        return await self._inner.get_credentials(tenant_id, email)

    async def get_by_email(self, tenant_id: UUID, email: EmailAddress) -> User | None:
        return await self._inner.get_by_email(tenant_id, email)

    async def replace_password_hash(self, tenant_id: UUID, user_id: UUID, password_hash: PasswordHash) -> None:
        await self._inner.replace_password_hash(tenant_id, user_id, password_hash)

    async def lock_deleted_before(self, deleted_before: datetime, *, limit: int) -> Sequence[User]:
        return await self._inner.lock_deleted_before(deleted_before, limit=limit)

    async def _purge(self, users: Sequence[User]) -> int:
        purged = await self._inner.purge(users)
        self._written_users(users)  # after commit, their entries go: a purged user is never served from the cache
        return purged

    async def _add(self, new_user: UserCredentials) -> None:
        await self._inner.add(new_user)
        self._written_users([new_user.user])

    async def _add_many(self, new_users: Sequence[UserCredentials]) -> None:
        await self._inner.add_many(new_users)
        self._written_users([new_user.user for new_user in new_users])

    async def _save(self, user: User, *, expected_version: int) -> None:
        await self._inner.save(user, expected_version=expected_version)
        self._written_users([user])

    def _written_users(self, users: Sequence[User]) -> None:
        ids = {(user.tenant_id, user.id) for user in users}
        self._changed |= ids
        self._to_invalidate |= ids
        # One callback per write call: a rollback drops the registered callbacks without telling the repository, so
        # registering only once could leave a later write of the same block uninvalidated. They share one batch.
        self._after_commit(self._invalidate_written)

    async def _invalidate_written(self) -> None:
        ids, self._to_invalidate = self._to_invalidate, set()
        self._changed.clear()  # committed: the cache may serve these users again (after this invalidation)
        if ids:
            await self._store.invalidate(ids)


def cached_user_repositories[S](
    store: UserCacheStore, inner: Callable[[S, UnitOfWork], UserRepository]
) -> Callable[[S, UnitOfWork], UserRepository]:
    """A unit of work's users-repository hook that wraps ``inner``'s repository in a ``CachedUserRepository``
    invalidating after that unit of work's commits (``SqlAlchemyUnitOfWork(..., user_repository=...)``)."""

    def build(session: S, uow: UnitOfWork) -> UserRepository:
        return CachedUserRepository(inner(session, uow), store, uow.after_commit)

    return build
