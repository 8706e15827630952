"""ListUsers: a page of the principal's tenant's users, filtered and sorted, with the cursor of the next page.

The principal is a user (an ``Actor``) or an API client reading through the partner API: both name their tenant and
hold ``users:read``.
"""

from __future__ import annotations

from dataclasses import dataclass

from keel.application.authorization import Principal
from keel.application.pagination import Page
from keel.application.unit_of_work import UnitOfWorkFactory
from keel.application.users.access import UserAccessPolicy
from keel.application.users.query import UserQuery
from keel.domain.users import User


@dataclass(frozen=True, kw_only=True)
class ListUsersQuery:
    actor: Principal
    criteria: UserQuery


class ListUsers:
    """Asks the repository for one more item than the page holds: if it comes, there is a next page."""

    def __init__(self, uow: UnitOfWorkFactory, *, access: UserAccessPolicy | None = None) -> None:
        self._uow = uow
        self._access = access or UserAccessPolicy()

    async def __call__(self, query: ListUsersQuery) -> Page[User]:
        criteria = query.criteria
        self._access.ensure_may_read(query.actor, include_deleted=criteria.include_deleted)
        async with self._uow(read_only=True) as uow:
            found = await uow.users.find(query.actor.tenant_id, criteria, limit=criteria.limit + 1)
        items = tuple(found[: criteria.limit])
        has_more = len(found) > criteria.limit
        return Page(items=items, next_cursor=criteria.cursor_after(items[-1]) if has_more else None)
