"""GetUser: one user of the actor's tenant."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from keel.application.unit_of_work import UnitOfWorkFactory
from keel.application.users.access import UserAccessPolicy
from keel.application.users.actor import Actor
from keel.application.users.preconditions import existing_user
from keel.domain.users import User


@dataclass(frozen=True, kw_only=True)
class GetUserQuery:
    actor: Actor
    user_id: UUID
    include_deleted: bool = False


class GetUser:
    """``UserNotFound`` for an unknown id, another tenant's user, or a deleted one unless ``include_deleted``."""

    def __init__(self, uow: UnitOfWorkFactory, *, access: UserAccessPolicy | None = None) -> None:
        self._uow = uow
        self._access = access or UserAccessPolicy()

    async def __call__(self, query: GetUserQuery) -> User:
        self._access.ensure_may_read(query.actor, include_deleted=query.include_deleted)
        async with self._uow(read_only=True) as uow:
            return await existing_user(
                uow.users, query.actor.tenant_id, query.user_id, include_deleted=query.include_deleted
            )
