"""Tenants: created active with a clean name, announcing themselves."""

from __future__ import annotations

import pytest

from fakes.clock import START
from keel.domain.ids import uuid7
from keel.domain.tenants import InvalidTenantName, Tenant, TenantCreated, TenantSlug, TenantStatus


def test_creating_a_tenant_records_tenant_created() -> None:
    tenant = Tenant.create(id=uuid7(), slug=TenantSlug("acme"), name="  Acme Ltd ", now=START)
    assert (tenant.name, tenant.status, tenant.is_active) == ("Acme Ltd", TenantStatus.ACTIVE, True)
    assert tenant.pull_events() == (TenantCreated(occurred_at=START, tenant_id=tenant.id, slug="acme"),)
    assert tenant.pull_events() == ()


@pytest.mark.parametrize("name", ["", "   ", "x" * 201, "bell\a"])
def test_refuses_blank_overlong_or_unprintable_names(name: str) -> None:
    with pytest.raises(InvalidTenantName):
        Tenant.create(id=uuid7(), slug=TenantSlug("acme"), name=name, now=START)


def test_aggregates_are_equal_by_type_and_id() -> None:
    tenant = Tenant.create(id=uuid7(), slug=TenantSlug("acme"), name="Acme", now=START)
    renamed = Tenant(id=tenant.id, slug=TenantSlug("other"), name="Other", status=tenant.status, created_at=START)
    assert tenant == renamed
    assert hash(tenant) == hash(renamed)
    assert tenant != Tenant.create(id=uuid7(), slug=TenantSlug("acme"), name="Acme", now=START)
