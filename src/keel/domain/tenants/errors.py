"""What can go wrong with tenants, in domain terms."""

from __future__ import annotations

from keel.domain.errors import Conflict, InvariantViolated, NotFound


class TenantNotFound(NotFound):
    code = "tenant_not_found"


class TenantSlugTaken(Conflict):
    """Another tenant has this slug. Raised by the pre-check or, when two requests race, by the unique constraint."""

    code = "tenant_slug_taken"
    field = "slug"

    def __init__(self, slug: str | None = None) -> None:
        detail = "This slug is already taken." if slug is None else f"The slug {slug!r} is already taken."
        super().__init__(detail, context={"field": self.field})


class InvalidTenantSlug(InvariantViolated):
    code = "invalid_tenant_slug"


class InvalidTenantName(InvariantViolated):
    code = "invalid_tenant_name"
