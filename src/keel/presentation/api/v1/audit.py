"""``/api/v1/audit-events``: the caller's tenant's audit log, newest first (owners and admins)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from keel.application.audit import MAX_AUDIT_PAGE_SIZE, AuditEntry, AuditQuery, ListAuditEventsQuery
from keel.presentation.api.authorization import AuditReader
from keel.presentation.api.deps import CursorCodecDep, ListAuditEventsDep
from keel.presentation.api.problems import problem_responses
from keel.presentation.api.rate_limiting import UserRateLimit
from keel.presentation.api.responses import ModelResponse
from keel.settings import RateLimitClass

router = APIRouter(prefix="/audit-events", tags=["audit"])

DEFAULT_AUDIT_PAGE_SIZE = 50


class FieldChangeView(BaseModel):
    before: Any
    after: Any


class AuditActorView(BaseModel):
    kind: str = Field(description="user, api_client, anonymous or system.")
    id: UUID | None


class AuditEventView(BaseModel):
    id: UUID
    occurred_at: datetime
    action: str = Field(description="`<entity type>.<what happened>`, e.g. `user.updated`.")
    entity_type: str
    entity_id: UUID
    actor: AuditActorView
    changes: dict[str, FieldChangeView] = Field(description="The changed attributes, before and after.")
    request_id: str | None
    ip: str | None
    user_agent: str | None

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditEventView:
        return cls.model_construct(
            id=entry.id,
            occurred_at=entry.occurred_at,
            action=entry.action,
            entity_type=entry.entity_type,
            entity_id=entry.entity_id,
            actor=AuditActorView.model_construct(kind=entry.actor_kind.value, id=entry.actor_id),
            changes={
                change.name: FieldChangeView.model_construct(before=change.before, after=change.after)
                for change in entry.changes
            },
            request_id=entry.request_id,
            ip=entry.ip,
            user_agent=entry.user_agent,
        )


class AuditEventPageView(BaseModel):
    items: list[AuditEventView]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


@router.get(
    "",
    summary="A page of the tenant's audit log, newest first (permission `audit:read`)",
    response_model=AuditEventPageView,
    dependencies=[Depends(UserRateLimit(RateLimitClass.READ))],
    responses=problem_responses(400, 401, 403, 422, 429),
)
async def list_audit_events(
    *,
    actor: AuditReader,
    list_events: ListAuditEventsDep,
    cursors: CursorCodecDep,
    entity_id: UUID | None = None,
    actor_id: UUID | None = None,
    action: Annotated[str | None, Query(max_length=100, description="e.g. `user.updated`.")] = None,
    cursor: Annotated[str | None, Query(max_length=512, description="`next_cursor` of the previous page.")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_AUDIT_PAGE_SIZE)] = DEFAULT_AUDIT_PAGE_SIZE,
) -> ModelResponse:
    criteria = AuditQuery(
        entity_id=entity_id,
        actor_id=actor_id,
        action=action,
        cursor=cursors.decode(cursor) if cursor is not None else None,
        limit=limit,
    )
    page = await list_events(ListAuditEventsQuery(actor=actor, criteria=criteria))
    return ModelResponse(
        AuditEventPageView.model_construct(
            items=[AuditEventView.of(entry) for entry in page.items],
            next_cursor=cursors.encode(page.next_cursor) if page.next_cursor is not None else None,
        )
    )
