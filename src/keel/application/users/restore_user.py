"""RestoreUser: undo a soft deletion."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from keel.application.ports import Clock
from keel.application.unit_of_work import UnitOfWorkFactory
from keel.application.users.access import UserAccessPolicy
from keel.application.users.actor import Actor
from keel.application.users.preconditions import ensure_version, existing_user
from keel.domain.users import UniqueIdentityPolicy, User


@dataclass(frozen=True, kw_only=True)
class RestoreUserCommand:
    actor: Actor
    user_id: UUID
    expected_version: int | None = None


class RestoreUser:
    """Restoring a user who is not deleted changes nothing and returns them as they are.

    A deleted user's email and username are free for others meanwhile, so a restore may collide: ``EmailAlreadyUsed``
    or ``UsernameAlreadyUsed`` (naming the field) when a non-deleted user now holds either. The check answers early;
    the database's unique indexes decide, and a user taking the email concurrently fails the save or the commit with
    the same error.
    """

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, *, access: UserAccessPolicy | None = None) -> None:
        self._uow = uow
        self._clock = clock
        self._access = access or UserAccessPolicy()

    async def __call__(self, command: RestoreUserCommand) -> User:
        async with self._uow() as uow:
            user = await existing_user(uow.users, command.actor.tenant_id, command.user_id, include_deleted=True)
            self._access.ensure_may_restore(command.actor, user)
            ensure_version(user, command.expected_version)
            if not user.is_deleted:
                return user
            await UniqueIdentityPolicy(uow.users).ensure_may_restore(user)
            loaded_version = user.version
            user.restore(self._clock.now())
            await uow.users.save(user, expected_version=loaded_version)
            await uow.commit()
        return user
