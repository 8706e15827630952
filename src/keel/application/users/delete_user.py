"""DeleteUser: a soft deletion, which keeps the record for ``RestoreUser`` and frees its email and username."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from keel.application.ports import Clock
from keel.application.unit_of_work import UnitOfWorkFactory
from keel.application.users.access import UserAccessPolicy
from keel.application.users.actor import Actor
from keel.application.users.preconditions import ensure_version, existing_user
from keel.domain.users import LastOwnerPolicy


@dataclass(frozen=True, kw_only=True)
class DeleteUserCommand:
    actor: Actor
    user_id: UUID
    expected_version: int | None = None


class DeleteUser:
    """``UserNotFound`` if the user is unknown or already deleted; the tenant's last active owner stays."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, *, access: UserAccessPolicy | None = None) -> None:
        self._uow = uow
        self._clock = clock
        self._access = access or UserAccessPolicy()

    async def __call__(self, command: DeleteUserCommand) -> None:
        async with self._uow() as uow:
            user = await existing_user(uow.users, command.actor.tenant_id, command.user_id)
            self._access.ensure_may_delete(command.actor, user)
            ensure_version(user, command.expected_version)
            loaded_version, was_active_owner = user.version, user.is_active_owner
            user.soft_delete(self._clock.now())
            await LastOwnerPolicy(uow.users).check_change(user, was_active_owner=was_active_owner)
            await uow.users.save(user, expected_version=loaded_version)
            await uow.commit()
