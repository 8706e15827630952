"""A small world for use-case tests: the in-memory database, a fake of every port, and helpers to seed it.

Its units of work write the outbox and the audit log as the container's do (``OutboxWriter`` and ``AuditWriter`` before
commit, with the default policies), so ``world.db.outbox`` shows the messages a use case asked for and
``world.db.audit_events`` the entries it left."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from factories import TenantFactory, UserFactory
from fakes.clock import FakeClock
from fakes.database import InMemoryDatabase
from fakes.events import RecordingEventBus
from fakes.passwords import FakePasswordHasher, fake_hash
from fakes.tokens import FakeTokenIssuer, RecordingDenylist
from fakes.unit_of_work import FakeUnitOfWork
from keel.application.audit import AuditPolicy, AuditWriter, ContextVarRequestContexts
from keel.application.auth import SessionTokens
from keel.application.outbox import OutboxPolicy, OutboxWriter
from keel.application.users import Actor
from keel.domain.ids import Uuid7Generator
from keel.domain.tenants import Tenant, TenantSlug
from keel.domain.users import EmailAddress, PasswordHash, Role, User, Username

PASSWORD = "correct horse battery staple"
REFRESH_TTL_SECONDS = 30 * 24 * 3600


@dataclass
class World:
    db: InMemoryDatabase = field(default_factory=InMemoryDatabase)
    bus: RecordingEventBus = field(default_factory=RecordingEventBus)
    clock: FakeClock = field(default_factory=FakeClock)
    hasher: FakePasswordHasher = field(default_factory=FakePasswordHasher)
    ids: Uuid7Generator = field(default_factory=Uuid7Generator)
    tokens: FakeTokenIssuer = field(default_factory=FakeTokenIssuer)
    contexts: ContextVarRequestContexts = field(default_factory=ContextVarRequestContexts)
    denylist: RecordingDenylist = field(default_factory=RecordingDenylist)

    def sessions(self, refresh_ttl_seconds: int = REFRESH_TTL_SECONDS) -> SessionTokens:
        """The refresh and access tokens of log-in and refresh, made with this world's issuer and ids."""
        return SessionTokens(self.tokens, self.ids, refresh_ttl_seconds=refresh_ttl_seconds)

    def uow(self, *, read_only: bool = False) -> FakeUnitOfWork:
        """The ``UnitOfWorkFactory`` to give use cases."""
        writers = [OutboxWriter(OutboxPolicy(self.ids)), AuditWriter(AuditPolicy(self.ids, self.contexts))]
        return FakeUnitOfWork(self.db, self.bus, before_commit=writers, read_only=read_only)

    def tenant(self, slug: str = "acme", **fields: object) -> Tenant:
        tenant: Tenant = TenantFactory.build(slug=TenantSlug(slug), **fields)
        self.db.seed(tenant)
        return tenant

    def user(
        self,
        tenant: Tenant,
        name: str,
        roles: Iterable[Role] = (Role.MEMBER,),
        password_hash: PasswordHash | None = None,
        **fields: object,
    ) -> User:
        """A committed user ``name`` with email ``<name>@example.com``."""
        user: User = UserFactory.build(
            tenant_id=tenant.id,
            email=EmailAddress(f"{name}@example.com"),
            username=Username(name),
            roles=frozenset(roles),
            **fields,
        )
        self.db.seed((user, password_hash or fake_hash(PASSWORD)))
        return user

    def stored(self, user: User) -> User:
        return self.db.users[user.id]


def actor(user: User) -> Actor:
    return Actor(user_id=user.id, tenant_id=user.tenant_id, roles=user.roles)
