"""An in-memory stand-in for the database: committed state, transactions, unique constraints and version checks.

Like PostgreSQL behind the real repositories, it enforces what the ports promise: email and username unique per tenant
among non-deleted users (the partial unique indexes ``WHERE deleted_at IS NULL``: a deleted user's are free, and an
insert, an update or a restore that makes a non-deleted user share one fails), slugs unique, compare-and-set on a
user's version. Violations surface at commit, the latest point a real database may report them, so tests prove the
use cases let them through; only a delivery record naming no existing tenant (the foreign key) fails at its write, as
in PostgreSQL. ``before_commit`` callbacks let a test play a concurrent transaction that commits first;
``statements`` counts repository calls by name. ``outbox`` holds the committed outbox messages, in write order, and
``audit_events`` the committed audit entries.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from uuid import UUID

from keel.application.audit import AuditEntry
from keel.application.email import EmailDelivery
from keel.application.jobs import ImportChunk, Job
from keel.application.outbox import OutboxMessage
from keel.domain.api_clients import ApiClient
from keel.domain.auth import OneTimeToken, RefreshToken
from keel.domain.errors import VersionConflict
from keel.domain.events import Aggregate
from keel.domain.tenants import Tenant, TenantSlugTaken
from keel.domain.users import EmailAlreadyUsed, PasswordHash, User, UsernameAlreadyUsed, UserNotFound


def detached[A: Aggregate](aggregate: A) -> A:
    """A copy without pending events: what a row read back, or written, holds."""
    clone = copy.deepcopy(aggregate)
    clone.pull_events()
    return clone


@dataclass
class Transaction:
    """The writes of one transaction, not yet visible to others."""

    tenants: dict[UUID, Tenant] = field(default_factory=dict)
    users: dict[UUID, User] = field(default_factory=dict)
    expected_versions: dict[UUID, int] = field(default_factory=dict)
    password_hashes: dict[UUID, PasswordHash] = field(default_factory=dict)
    added: set[UUID] = field(default_factory=set)
    email_deliveries: dict[UUID, EmailDelivery] = field(default_factory=dict)
    outbox: list[OutboxMessage] = field(default_factory=list)
    audit_events: list[AuditEntry] = field(default_factory=list)
    api_clients: dict[UUID, ApiClient] = field(default_factory=dict)
    refresh_tokens: dict[UUID, RefreshToken] = field(default_factory=dict)
    one_time_tokens: dict[UUID, OneTimeToken] = field(default_factory=dict)
    jobs: dict[UUID, Job] = field(default_factory=dict)
    job_chunks: dict[tuple[UUID, int], ImportChunk] = field(default_factory=dict)

    def has_writes(self) -> bool:
        return any(self._pending())

    def clear(self) -> None:
        for pending in self._pending():
            pending.clear()

    def _pending(self) -> tuple[dict[UUID, object] | dict[tuple[UUID, int], ImportChunk] | set[UUID], ...]:
        return (
            self.tenants,
            self.users,
            self.expected_versions,
            self.password_hashes,
            self.added,
            self.email_deliveries,
            self.outbox,
            self.audit_events,
            self.api_clients,
            self.refresh_tokens,
            self.one_time_tokens,
            self.jobs,
            self.job_chunks,
        )


class InMemoryDatabase:
    def __init__(self) -> None:
        self.tenants: dict[UUID, Tenant] = {}
        self.users: dict[UUID, User] = {}
        self.password_hashes: dict[UUID, PasswordHash] = {}
        self.email_deliveries: dict[UUID, EmailDelivery] = {}
        self.outbox: list[OutboxMessage] = []
        self.audit_events: list[AuditEntry] = []
        self.api_clients: dict[UUID, ApiClient] = {}
        self.refresh_tokens: dict[UUID, RefreshToken] = {}
        self.one_time_tokens: dict[UUID, OneTimeToken] = {}
        self.jobs: dict[UUID, Job] = {}
        self.job_chunks: dict[tuple[UUID, int], ImportChunk] = {}
        self.statements: Counter[str] = Counter()
        self.before_commit: list[Callable[[], None]] = []
        self.commits = 0

    def seed(
        self,
        *rows: Tenant | tuple[User, PasswordHash] | User | EmailDelivery | ApiClient | RefreshToken | OneTimeToken,
    ) -> None:
        """Insert committed rows directly (test set-up), bypassing constraints and events."""
        for row in rows:
            match row:
                case Tenant():
                    self.tenants[row.id] = detached(row)
                case (User() as user, PasswordHash() as password_hash):
                    self.users[user.id] = detached(user)
                    self.password_hashes[user.id] = password_hash
                case User():
                    self.users[row.id] = detached(row)
                    self.password_hashes[row.id] = PasswordHash("fake$v2$unusable")
                case EmailDelivery():
                    self.email_deliveries[row.message_id] = row
                case ApiClient():
                    self.api_clients[row.id] = row
                case RefreshToken():
                    self.refresh_tokens[row.id] = row
                case OneTimeToken():
                    self.one_time_tokens[row.id] = detached(row)

    def visible_tenants(self, tx: Transaction) -> dict[UUID, Tenant]:
        return self.tenants | tx.tenants

    def visible_users(self, tx: Transaction) -> dict[UUID, User]:
        return self.users | tx.users

    def visible_email_deliveries(self, tx: Transaction) -> dict[UUID, EmailDelivery]:
        return self.email_deliveries | tx.email_deliveries

    def visible_api_clients(self, tx: Transaction) -> dict[UUID, ApiClient]:
        return self.api_clients | tx.api_clients

    def visible_refresh_tokens(self, tx: Transaction) -> dict[UUID, RefreshToken]:
        return self.refresh_tokens | tx.refresh_tokens

    def visible_one_time_tokens(self, tx: Transaction) -> dict[UUID, OneTimeToken]:
        return self.one_time_tokens | tx.one_time_tokens

    def visible_hash(self, tx: Transaction, user_id: UUID) -> PasswordHash:
        return tx.password_hashes.get(user_id) or self.password_hashes[user_id]

    def commit(self, tx: Transaction) -> None:
        """Apply the transaction atomically, or raise the violated constraint and apply nothing."""
        hooks, self.before_commit = self.before_commit, []
        for hook in hooks:
            hook()
        for user_id, expected in tx.expected_versions.items():
            if user_id in tx.added:
                continue
            stored = self.users.get(user_id)
            if stored is None:
                raise UserNotFound
            if stored.version != expected:
                raise VersionConflict(f"The user is at version {stored.version}, not {expected}.")
        tenants, users = self.tenants | tx.tenants, self.users | tx.users
        _check_unique_slugs(tenants, tx.tenants)
        _check_unique_identities(users, tx.users)
        if len({message.id for message in [*self.outbox, *tx.outbox]}) != len(self.outbox) + len(tx.outbox):
            raise AssertionError("two outbox messages share an id")  # the primary key: a bug in the code under test
        _check_unique_digests([*self.refresh_tokens.values(), *tx.refresh_tokens.values()])
        _check_unique_digests([*self.one_time_tokens.values(), *tx.one_time_tokens.values()])
        self.tenants, self.users = tenants, users
        self.password_hashes |= tx.password_hashes
        self.email_deliveries |= tx.email_deliveries
        self.outbox.extend(tx.outbox)
        self.audit_events.extend(tx.audit_events)
        self.api_clients |= tx.api_clients
        self.refresh_tokens |= tx.refresh_tokens
        self.one_time_tokens |= tx.one_time_tokens
        self.jobs |= tx.jobs
        self.job_chunks |= tx.job_chunks
        self.commits += 1
        tx.clear()


def _check_unique_slugs(tenants: dict[UUID, Tenant], written: dict[UUID, Tenant]) -> None:
    for tenant in written.values():
        if any(other.slug == tenant.slug and other.id != tenant.id for other in tenants.values()):
            raise TenantSlugTaken(tenant.slug.value)


def _check_unique_identities(users: dict[UUID, User], written: dict[UUID, User]) -> None:
    """The partial unique indexes: among the tenant's non-deleted rows, no two share an email or a username."""
    for user in written.values():
        if user.is_deleted:
            continue
        same_tenant = [
            other
            for other in users.values()
            if other.tenant_id == user.tenant_id and other.id != user.id and not other.is_deleted
        ]
        if any(other.email == user.email for other in same_tenant):
            raise EmailAlreadyUsed
        if any(other.username == user.username for other in same_tenant):
            raise UsernameAlreadyUsed


def _check_unique_digests(tokens: list[RefreshToken] | list[OneTimeToken]) -> None:
    """The unique index on ``token_hash``: no two tokens (by id) share a digest."""
    owners: dict[bytes, UUID] = {}
    for token in tokens:
        if owners.setdefault(token.digest.value, token.id) != token.id:
            raise AssertionError("two tokens with one digest: the unique index would refuse the second")
