"""factory-boy factories for domain objects, built as a repository would load them: no pending events."""

from __future__ import annotations

import factory

from fakes.clock import START
from keel.domain.ids import uuid7
from keel.domain.tenants import Tenant, TenantSlug, TenantStatus
from keel.domain.users import EmailAddress, Preferences, Role, User, Username, UserStatus


class TenantFactory(factory.Factory):
    class Meta:
        model = Tenant

    id = factory.LazyFunction(uuid7)
    slug = factory.Sequence(lambda n: TenantSlug(f"tenant-{n:03d}"))
    name = factory.Sequence(lambda n: f"Tenant {n}")
    status = TenantStatus.ACTIVE
    created_at = START


class UserFactory(factory.Factory):
    class Meta:
        model = User

    id = factory.LazyFunction(uuid7)
    tenant_id = factory.LazyFunction(uuid7)
    email = factory.Sequence(lambda n: EmailAddress(f"user{n}@example.com"))
    username = factory.Sequence(lambda n: Username(f"user{n:03d}"))
    full_name = factory.Sequence(lambda n: f"User {n}")
    roles = frozenset({Role.MEMBER})
    status = UserStatus.ACTIVE
    preferences = factory.LazyFunction(Preferences)
    email_verified_at = None
    created_at = START
    updated_at = START
    deleted_at = None
    version = 1
