"""UpdateUser: a partial change (JSON merge patch) to a user, stored as one new version.

The command tells "absent" (``UNSET``: leave as is) from a value. ``None`` resets the resettable fields — the full name
to empty, the locale and time zone to their defaults — as a merge patch's ``null`` removes a member; the other fields
have no "none" value. Sending a field's current value is not a change: a patch that changes nothing writes nothing and
keeps the version.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import Enum
from typing import Final, Literal
from uuid import UUID

from keel.application.ports import Clock
from keel.application.unit_of_work import UnitOfWorkFactory
from keel.application.users.access import UserAccessPolicy
from keel.application.users.actor import Actor
from keel.application.users.preconditions import ensure_version, existing_user
from keel.domain.users import (
    EmailAddress,
    LastOwnerPolicy,
    Preferences,
    Role,
    UniqueIdentityPolicy,
    User,
    UserChanges,
    Username,
    UserStatus,
    role_set,
    user_status,
)


class Unset(Enum):
    """The type of ``UNSET``: a field the patch does not mention."""

    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = Unset.UNSET
type Patch[T] = T | Literal[Unset.UNSET]


@dataclass(frozen=True, kw_only=True)
class UpdateUserCommand:
    actor: Actor
    user_id: UUID
    expected_version: int | None = None
    """The version the caller read (``If-Match``); ``None`` skips the check."""
    full_name: Patch[str | None] = UNSET
    email: Patch[str] = UNSET
    username: Patch[str] = UNSET
    roles: Patch[Collection[Role | str]] = UNSET
    status: Patch[UserStatus | str] = UNSET
    locale: Patch[str | None] = UNSET
    timezone: Patch[str | None] = UNSET

    def changes_for(self, user: User) -> UserChanges:
        """The patch as domain values, preferences merged into ``user``'s; validates every given field."""
        return UserChanges(
            full_name=None if self.full_name is UNSET else self.full_name or "",
            email=None if self.email is UNSET else EmailAddress(self.email),
            username=None if self.username is UNSET else Username(self.username),
            roles=None if self.roles is UNSET else role_set(self.roles),
            status=None if self.status is UNSET else user_status(self.status),
            preferences=self._preferences_for(user),
        )

    def _preferences_for(self, user: User) -> Preferences | None:
        if self.locale is UNSET and self.timezone is UNSET:
            return None
        defaults, current = Preferences(), user.preferences
        return Preferences(
            locale=current.locale if self.locale is UNSET else self.locale or defaults.locale,
            timezone=current.timezone if self.timezone is UNSET else self.timezone or defaults.timezone,
        )


class UpdateUser:
    """Load, authorise the effective changes, check the version and the uniqueness of a new email or username, apply,
    check the tenant keeps an owner, save with compare-and-set on the loaded version, commit."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, *, access: UserAccessPolicy | None = None) -> None:
        self._uow = uow
        self._clock = clock
        self._access = access or UserAccessPolicy()

    async def __call__(self, command: UpdateUserCommand) -> User:
        tenant_id = command.actor.tenant_id
        async with self._uow() as uow:
            user = await existing_user(uow.users, tenant_id, command.user_id)
            changes = user.diff(command.changes_for(user))
            self._access.ensure_may_update(command.actor, user, changes)
            ensure_version(user, command.expected_version)
            if not changes.given():
                return user
            await UniqueIdentityPolicy(uow.users).ensure_available(
                tenant_id, email=changes.email, username=changes.username
            )
            loaded_version, was_active_owner = user.version, user.is_active_owner
            user.update(changes, self._clock.now())
            await LastOwnerPolicy(uow.users).check_change(user, was_active_owner=was_active_owner)
            await uow.users.save(user, expected_version=loaded_version)
            await uow.commit()
        return user
