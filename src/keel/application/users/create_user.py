"""CreateUser: an owner or admin adds a user to their tenant."""

from __future__ import annotations

from dataclasses import dataclass

from keel.application.ports import Clock, IdGenerator, PasswordHasher
from keel.application.unit_of_work import UnitOfWorkFactory
from keel.application.users.access import UserAccessPolicy
from keel.application.users.actor import Actor
from keel.application.users.new_user import NewUser
from keel.domain.users import UniqueIdentityPolicy, User, UserCredentials


@dataclass(frozen=True, kw_only=True)
class CreateUserCommand:
    actor: Actor
    user: NewUser


class CreateUser:
    """Validate, hash the password outside the transaction (it is slow), check email and username early, store.

    Only non-deleted users hold an email or username: a deleted user's are free to take.

    A concurrent creation with the same email or username still fails cleanly: the database's constraint raises
    ``EmailAlreadyUsed``/``UsernameAlreadyUsed`` from the write or the commit, and it propagates.
    """

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        hasher: PasswordHasher,
        clock: Clock,
        ids: IdGenerator,
        *,
        access: UserAccessPolicy | None = None,
    ) -> None:
        self._uow = uow
        self._hasher = hasher
        self._clock = clock
        self._ids = ids
        self._access = access or UserAccessPolicy()

    async def __call__(self, command: CreateUserCommand) -> User:
        tenant_id = command.actor.tenant_id
        draft = command.user.validate()
        assert draft.password is not None  # a NewUser always has one
        self._access.ensure_may_create(command.actor, draft.roles)
        password_hash = await self._hasher.hash(draft.password)
        async with self._uow() as uow:
            await UniqueIdentityPolicy(uow.users).ensure_available(
                tenant_id, email=draft.email, username=draft.username
            )
            user = draft.register(id=self._ids.new_id(), tenant_id=tenant_id, now=self._clock.now())
            await uow.users.add(UserCredentials(user=user, password_hash=password_hash))
            await uow.commit()
        return user
