"""``/api/v2/users``: the users list in v2's page shape, ``{data, page: {next_cursor}}``.

Served by the same ``ListUsers`` use case as v1's list (which is deprecated in its favour); only the representation
differs. Items are v1's ``UserView``: a user's shape did not change.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from keel.application.users import ListUsersQuery
from keel.presentation.api.authorization import UsersReader
from keel.presentation.api.deps import CursorCodecDep, ListUsersDep
from keel.presentation.api.problems import problem_responses
from keel.presentation.api.rate_limiting import UserRateLimit
from keel.presentation.api.responses import ModelResponse
from keel.presentation.api.user_listing import UserListCriteria
from keel.presentation.api.v1.schemas import UserView
from keel.settings import RateLimitClass

router = APIRouter(prefix="/users", tags=["users"])


class PageInfo(BaseModel):
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class UserListView(BaseModel):
    data: list[UserView]
    page: PageInfo


@router.get(
    "",
    summary="A page of the tenant's users",
    response_model=UserListView,
    dependencies=[Depends(UserRateLimit(RateLimitClass.READ))],
    responses=problem_responses(400, 401, 403, 422, 429),
)
async def list_users(
    actor: UsersReader, list_users: ListUsersDep, cursors: CursorCodecDep, criteria: UserListCriteria
) -> ModelResponse:
    page = await list_users(ListUsersQuery(actor=actor, criteria=criteria))
    next_cursor = cursors.encode(page.next_cursor) if page.next_cursor is not None else None
    return ModelResponse(
        UserListView.model_construct(
            data=[UserView.of(user) for user in page.items], page=PageInfo.model_construct(next_cursor=next_cursor)
        )
    )
