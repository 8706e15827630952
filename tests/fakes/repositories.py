"""In-memory repositories implementing the application's ports over an ``InMemoryDatabase`` transaction.

They read the committed state overlaid with the transaction's own writes, and hand out copies: as with the real,
explicitly mapped repositories, a change reaches storage only through a write method.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import datetime
from uuid import UUID

from fakes.database import InMemoryDatabase, Transaction, detached
from keel.application.api_clients import ApiClientRepository
from keel.application.email import EmailDelivery, EmailDeliveryRepository
from keel.application.tenants import TenantRepository
from keel.application.users import UserQuery, UserRepository
from keel.domain.api_clients import ApiClient, ApiClientNotFound
from keel.domain.errors import VersionConflict
from keel.domain.tenants import Tenant, TenantNotFound, TenantSlug
from keel.domain.users import (
    EmailAddress,
    PasswordHash,
    TakenIdentities,
    User,
    UserCredentials,
    Username,
    UserNotFound,
)


class InMemoryTenantRepository(TenantRepository):
    def __init__(self, database: InMemoryDatabase, tx: Transaction) -> None:
        super().__init__()
        self._db, self._tx = database, tx

    async def get(self, tenant_id: UUID) -> Tenant | None:
        self._db.statements["tenants.get"] += 1
        tenant = self._db.visible_tenants(self._tx).get(tenant_id)
        return detached(tenant) if tenant else None

    async def get_by_slug(self, slug: TenantSlug) -> Tenant | None:
        self._db.statements["tenants.get_by_slug"] += 1
        found = [t for t in self._db.visible_tenants(self._tx).values() if t.slug == slug]
        return detached(found[0]) if found else None

    async def _add(self, tenant: Tenant) -> None:
        self._db.statements["tenants.add"] += 1
        self._tx.tenants[tenant.id] = detached(tenant)


class InMemoryUserRepository(UserRepository):
    def __init__(self, database: InMemoryDatabase, tx: Transaction) -> None:
        super().__init__()
        self._db, self._tx = database, tx

    def _tenant_users(self, tenant_id: UUID) -> list[User]:
        return [u for u in self._db.visible_users(self._tx).values() if u.tenant_id == tenant_id]

    async def get(self, tenant_id: UUID, user_id: UUID, *, include_deleted: bool = False) -> User | None:
        self._db.statements["users.get"] += 1
        user = self._db.visible_users(self._tx).get(user_id)
        if user is None or user.tenant_id != tenant_id or (user.is_deleted and not include_deleted):
            return None
        return detached(user)

    async def find(self, tenant_id: UUID, query: UserQuery, *, limit: int) -> Sequence[User]:
        self._db.statements["users.find"] += 1
        sort = query.sort
        users = [u for u in self._tenant_users(tenant_id) if _matches(u, query)]
        users.sort(key=lambda u: (sort.key_of(u), u.id), reverse=sort.descending)
        if query.cursor is not None:
            after = (query.cursor.key[0], query.cursor.id)
            users = [
                u
                for u in users
                if ((sort.key_of(u), u.id) < after if sort.descending else (sort.key_of(u), u.id) > after)
            ]
        return [detached(u) for u in users[:limit]]

    async def existing_emails_and_usernames(
        self, tenant_id: UUID, emails: Collection[EmailAddress], usernames: Collection[Username]
    ) -> TakenIdentities:
        self._db.statements["users.existing_emails_and_usernames"] += 1
        users = [u for u in self._tenant_users(tenant_id) if not u.is_deleted]
        return TakenIdentities(
            emails=frozenset(u.email for u in users) & frozenset(emails),
            usernames=frozenset(u.username for u in users) & frozenset(usernames),
        )

    async def count_active_owners(self, tenant_id: UUID) -> int:
        self._db.statements["users.count_active_owners"] += 1
        return sum(1 for u in self._tenant_users(tenant_id) if u.is_active_owner)

    async def get_credentials(self, tenant_id: UUID, email: EmailAddress) -> UserCredentials | None:
        self._db.statements["users.get_credentials"] += 1
        found = next((u for u in self._tenant_users(tenant_id) if u.email == email and not u.is_deleted), None)
        if found is None:
            return None
        return UserCredentials(user=detached(found), password_hash=self._db.visible_hash(self._tx, found.id))

    async def get_by_email(self, tenant_id: UUID, email: EmailAddress) -> User | None:
        self._db.statements["users.get_by_email"] += 1
        found = next((u for u in self._tenant_users(tenant_id) if u.email == email and not u.is_deleted), None)
        return detached(found) if found is not None else None

    async def replace_password_hash(self, tenant_id: UUID, user_id: UUID, password_hash: PasswordHash) -> None:
        self._db.statements["users.replace_password_hash"] += 1
        if any(u.id == user_id for u in self._tenant_users(tenant_id)):
            self._tx.password_hashes[user_id] = password_hash

    async def _add(self, new_user: UserCredentials) -> None:
        self._db.statements["users.add"] += 1
        self._stage(new_user)

    async def _add_many(self, new_users: Sequence[UserCredentials]) -> None:
        self._db.statements["users.add_many"] += 1
        for new_user in new_users:
            self._stage(new_user)

    async def _save(self, user: User, *, expected_version: int) -> None:
        self._db.statements["users.save"] += 1
        stored = self._db.visible_users(self._tx).get(user.id)
        if stored is None or stored.tenant_id != user.tenant_id:
            raise UserNotFound
        if stored.version != expected_version:
            raise VersionConflict(f"The user is at version {stored.version}, not {expected_version}.")
        self._tx.expected_versions.setdefault(user.id, expected_version)
        self._tx.users[user.id] = detached(user)

    async def lock_deleted_before(self, deleted_before: datetime, *, limit: int) -> Sequence[User]:
        """No row locks here: one task per test (concurrent purges are tested against PostgreSQL)."""
        self._db.statements["users.lock_deleted_before"] += 1
        deleted = [
            u
            for u in self._db.visible_users(self._tx).values()
            if u.deleted_at is not None and u.deleted_at < deleted_before and u.id not in self._tx.purged
        ]
        deleted.sort(key=lambda u: (u.deleted_at, u.id))
        return [detached(u) for u in deleted[:limit]]

    async def _purge(self, users: Sequence[User]) -> int:
        self._db.statements["users.purge"] += 1
        visible = self._db.visible_users(self._tx)
        ids = {u.id for u in users if u.id in visible and visible[u.id].is_deleted and u.id not in self._tx.purged}
        self._tx.purged |= ids
        return len(ids)

    def _stage(self, new_user: UserCredentials) -> None:
        self._tx.added.add(new_user.user.id)
        self._tx.users[new_user.user.id] = detached(new_user.user)
        self._tx.password_hashes[new_user.user.id] = new_user.password_hash


class InMemoryEmailDeliveryRepository(EmailDeliveryRepository):
    """Records are frozen dataclasses: stored as they are, no copies needed. No row locks: one task per test."""

    def __init__(self, database: InMemoryDatabase, tx: Transaction) -> None:
        self._db, self._tx = database, tx

    async def add_if_absent(self, delivery: EmailDelivery) -> None:
        self._db.statements["email_deliveries.add_if_absent"] += 1
        if delivery.tenant_id not in self._db.visible_tenants(self._tx):
            raise TenantNotFound("No such tenant.")
        if delivery.message_id not in self._db.visible_email_deliveries(self._tx):
            self._tx.email_deliveries[delivery.message_id] = delivery

    async def get(self, message_id: UUID) -> EmailDelivery | None:
        self._db.statements["email_deliveries.get"] += 1
        return self._db.visible_email_deliveries(self._tx).get(message_id)

    async def get_for_update(self, message_id: UUID) -> EmailDelivery | None:
        self._db.statements["email_deliveries.get_for_update"] += 1
        return self._db.visible_email_deliveries(self._tx).get(message_id)

    async def save(self, delivery: EmailDelivery) -> None:
        self._db.statements["email_deliveries.save"] += 1
        if delivery.message_id not in self._db.visible_email_deliveries(self._tx):
            raise LookupError(f"no delivery record of message {delivery.message_id} to save")
        self._tx.email_deliveries[delivery.message_id] = delivery

    async def erase_addresses(self, recipient_user_ids: Collection[UUID]) -> int:
        self._db.statements["email_deliveries.erase_addresses"] += 1
        erased = [
            replace(delivery, to_address=None)
            for delivery in self._db.visible_email_deliveries(self._tx).values()
            if delivery.recipient_user_id in recipient_user_ids and delivery.to_address is not None
        ]
        for delivery in erased:
            self._tx.email_deliveries[delivery.message_id] = delivery
        return len(erased)


def _comes_after(position: tuple[object, UUID], cursor: tuple[object, UUID], *, descending: bool) -> bool:
    return position < cursor if descending else position > cursor


def _matches(user: User, query: UserQuery) -> bool:
    search = query.q.casefold() if query.q else None
    return (
        (query.include_deleted or not user.is_deleted)
        and (query.status is None or user.status is query.status)
        and (query.role is None or query.role in user.roles)
        and (
            search is None
            or any(search in text.casefold() for text in (user.email.value, user.username.value, user.full_name))
        )
    )


class InMemoryApiClientRepository(ApiClientRepository):
    """Clients are frozen dataclasses: stored as they are. The locks are no-ops: one task per test."""

    def __init__(self, database: InMemoryDatabase, tx: Transaction) -> None:
        self._db, self._tx = database, tx

    async def add(self, client: ApiClient) -> None:
        self._db.statements["api_clients.add"] += 1
        if client.tenant_id not in self._db.visible_tenants(self._tx):
            raise TenantNotFound("No such tenant.")
        self._tx.api_clients[client.id] = client

    async def get(self, tenant_id: UUID, client_id: UUID, *, for_update: bool = False) -> ApiClient | None:
        self._db.statements["api_clients.get"] += 1
        client = self._db.visible_api_clients(self._tx).get(client_id)
        return client if client is not None and client.tenant_id == tenant_id else None

    async def get_by_id(self, client_id: UUID) -> ApiClient | None:
        self._db.statements["api_clients.get_by_id"] += 1
        return self._db.visible_api_clients(self._tx).get(client_id)

    async def list_active(self, tenant_id: UUID) -> Sequence[ApiClient]:
        self._db.statements["api_clients.list_active"] += 1
        clients = self._db.visible_api_clients(self._tx).values()
        active = [client for client in clients if client.tenant_id == tenant_id and not client.is_revoked]
        return sorted(active, key=lambda client: (client.created_at, client.id))

    async def count_active_locked(self, tenant_id: UUID) -> int:
        return len(await self.list_active(tenant_id))

    async def save(self, client: ApiClient) -> None:
        self._db.statements["api_clients.save"] += 1
        stored = self._db.visible_api_clients(self._tx).get(client.id)
        if stored is None or stored.tenant_id != client.tenant_id:
            raise ApiClientNotFound
        self._tx.api_clients[client.id] = client
