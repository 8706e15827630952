"""``/api/v1/partner``: what an API client may read with signed requests (KEEL-HMAC-SHA256), in its own tenant only.

The tenant is the signing client's, never a parameter. See ``docs/how-to/call-the-partner-api.md``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from keel.application.users import ListUsersQuery, UserQuery
from keel.domain.users import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from keel.presentation.api.authorization import PartnerUsersReader
from keel.presentation.api.deps import CursorCodecDep, ListUsersDep
from keel.presentation.api.problems import problem_responses
from keel.presentation.api.rate_limiting import ClientRateLimit
from keel.presentation.api.responses import ModelResponse
from keel.presentation.api.v1.schemas import UserPageView, UserView
from keel.settings import RateLimitClass

router = APIRouter(prefix="/partner", tags=["partner"])


@router.get(
    "/users",
    summary="A page of the API client's tenant's users (signed request)",
    response_model=UserPageView,
    dependencies=[Depends(ClientRateLimit(RateLimitClass.PARTNER))],
    responses=problem_responses(400, 401, 403, 422, 429, 503),
)
async def list_users(
    *,
    client: PartnerUsersReader,
    list_users: ListUsersDep,
    cursors: CursorCodecDep,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
    cursor: Annotated[str | None, Query(max_length=512, description="`next_cursor` of the previous page.")] = None,
) -> ModelResponse:
    criteria = UserQuery(cursor=cursors.decode(cursor) if cursor is not None else None, limit=limit)
    page = await list_users(ListUsersQuery(actor=client, criteria=criteria))
    return ModelResponse(
        UserPageView.model_construct(
            items=[UserView.of(user) for user in page.items],
            next_cursor=cursors.encode(page.next_cursor) if page.next_cursor is not None else None,
        )
    )
