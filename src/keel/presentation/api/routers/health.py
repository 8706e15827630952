"""Liveness and readiness, outside the versioned API (orchestrators call them, not clients)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response, status
from pydantic import BaseModel

from keel.presentation.api.deps import CheckHealthDep

router = APIRouter(prefix="/health", tags=["health"])


class Liveness(BaseModel):
    status: Literal["pass"]


class CheckView(BaseModel):
    status: Literal["pass", "fail"]
    required: bool
    latency_ms: float
    error: str | None = None


class Readiness(BaseModel):
    status: Literal["pass", "warn", "fail"]
    checks: dict[str, CheckView]


@router.get("/live", summary="The process is up", response_model=Liveness)
async def live() -> Liveness:
    return Liveness(status="pass")


@router.get(
    "/ready",
    summary="Every required dependency answers",
    response_model=Readiness,
    responses={status.HTTP_503_SERVICE_UNAVAILABLE: {"model": Readiness, "description": "A required check failed"}},
)
async def ready(check_health: CheckHealthDep, response: Response) -> Readiness:
    report = await check_health()
    if not report.ready:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    response.headers["Cache-Control"] = "no-store"
    return Readiness(
        status=report.status,
        checks={
            check.name: CheckView(
                status="pass" if check.healthy else "fail",
                required=check.required,
                latency_ms=check.latency_ms,
                error=check.error,
            )
            for check in report.checks
        },
    )
