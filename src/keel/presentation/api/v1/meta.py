"""``GET /api/v1/meta``: what is serving this API, so clients and operators can tell deployments apart."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from keel.presentation.api.problems import problem_responses
from keel.presentation.api.rate_limiting import AddressRateLimit
from keel.settings import RateLimitClass

router = APIRouter(tags=["meta"])


class ServiceInfo(BaseModel):
    service: str
    version: str
    api_version: str
    environment: str


def _package_version() -> str:
    try:
        return version("keel")
    except PackageNotFoundError:
        return "0+unknown"


@router.get(
    "/meta",
    summary="Service name, version and environment",
    response_model=ServiceInfo,
    dependencies=[Depends(AddressRateLimit(RateLimitClass.READ))],
    responses=problem_responses(429),
)
async def meta(request: Request) -> ServiceInfo:
    settings = request.app.state.settings
    return ServiceInfo(
        service=settings.observability.service_name,
        version=_package_version(),
        api_version="v1",
        environment=settings.environment.value,
    )
