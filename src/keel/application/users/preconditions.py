"""Checks the user use cases share: the user exists in the actor's tenant, and is at the version the caller saw."""

from __future__ import annotations

from uuid import UUID

from keel.application.users.ports import UserRepository
from keel.domain.errors import VersionConflict
from keel.domain.users import User, UserNotFound


async def existing_user(
    users: UserRepository, tenant_id: UUID, user_id: UUID, *, include_deleted: bool = False
) -> User:
    user = await users.get(tenant_id, user_id, include_deleted=include_deleted)
    if user is None:
        raise UserNotFound
    return user


def ensure_version(user: User, expected_version: int | None) -> None:
    """``VersionConflict`` when the caller saw another version (``None``: the caller does not check)."""
    if expected_version is not None and expected_version != user.version:
        raise VersionConflict(
            f"The user is at version {user.version}, not {expected_version}; read it again.",
            context={"expected_version": expected_version, "current_version": user.version},
        )
