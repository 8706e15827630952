"""The query parameters of a users list — filters, order, page size and cursor — read into one ``UserQuery``.

Every version's list route declares ``criteria: UserListCriteria`` instead of repeating the parameters; the routes
differ only in the JSON shape of the page they answer with.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from keel.application.users import UserQuery, UserSort
from keel.domain.users import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Role, UserStatus
from keel.presentation.api.deps import CursorCodecDep


async def user_list_criteria(
    *,
    cursors: CursorCodecDep,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
    cursor: Annotated[str | None, Query(max_length=512, description="The cursor the previous page gave.")] = None,
    status_: Annotated[UserStatus | None, Query(alias="status")] = None,
    role: Role | None = None,
    q: Annotated[str | None, Query(max_length=100, description="Substring of email, username or name.")] = None,
    sort: Annotated[str, Query(description="created_at, email or username; `-` for descending.")] = "created_at",
    include_deleted: bool = False,
) -> UserQuery:
    return UserQuery(
        status=status_,
        role=role,
        q=q,
        sort=UserSort.parse(sort),
        include_deleted=include_deleted,
        cursor=cursors.decode(cursor) if cursor is not None else None,
        limit=limit,
    )


UserListCriteria = Annotated[UserQuery, Depends(user_list_criteria)]
