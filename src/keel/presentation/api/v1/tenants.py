"""``POST /api/v1/tenants``: sign-up — a new tenant and its first owner (public, counted per client address)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, status

from keel.application.tenants import CreateTenantCommand
from keel.presentation.api.deps import CreateTenantDep
from keel.presentation.api.problems import problem_responses
from keel.presentation.api.rate_limiting import AddressRateLimit
from keel.presentation.api.v1.schemas import CreatedTenantView, NewTenantBody, TenantView, UserView
from keel.settings import RateLimitClass

router = APIRouter(prefix="/tenants", tags=["tenants"])


@router.post(
    "",
    summary="Create a tenant and its owner",
    status_code=status.HTTP_201_CREATED,
    response_model=CreatedTenantView,
    dependencies=[Depends(AddressRateLimit(RateLimitClass.SIGNUP))],
    responses=problem_responses(400, 409, 413, 422, 429, 503),
)
async def create_tenant(body: NewTenantBody, create: CreateTenantDep) -> CreatedTenantView:
    created = await create(
        CreateTenantCommand(
            slug=body.slug,
            name=body.name,
            owner_email=body.owner.email,
            owner_username=body.owner.username,
            owner_password=body.owner.password.get_secret_value(),
            owner_full_name=body.owner.full_name,
        )
    )
    return CreatedTenantView(tenant=TenantView.of(created.tenant), owner=UserView.of(created.owner))
