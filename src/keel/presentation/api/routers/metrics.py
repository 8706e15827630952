"""``GET /metrics``: the Prometheus text format, outside the versioned API and the OpenAPI document.

Protected by ``Authorization: Bearer <KEEL_OBSERVABILITY__METRICS_BEARER_TOKEN>`` when that setting is set.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

router = APIRouter()


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    page = request.app.state.container.metrics_exposition().render(request.headers.get("authorization"))
    return Response(page.body, status_code=page.status, media_type=page.content_type, headers=page.headers)
