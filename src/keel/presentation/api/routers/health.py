"""Liveness and readiness, outside the versioned API (orchestrators call them, not clients)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, Response, status
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
async def ready(check_health: CheckHealthDep, request: Request, response: Response) -> Readiness:
    response.headers["Cache-Control"] = "no-store"
    if request.app.state.shutdown.draining:  # shutting down: take this instance out of rotation before it stops
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        return Readiness(
            status="fail",
            checks={"shutdown": CheckView(status="fail", required=True, latency_ms=0.0, error="draining")},
        )
    report = await check_health()
    if not report.ready:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
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
