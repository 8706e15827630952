"""Roles a user holds in their tenant, and the user's status."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from keel.domain.users.errors import InvalidRoles, InvalidStatus


class Role(StrEnum):
    OWNER = "owner"
    """Manages the tenant, including its owners. A tenant always keeps at least one active owner."""
    ADMIN = "admin"
    """Manages users, except owners."""
    MEMBER = "member"
    """Uses the service."""


class UserStatus(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"
    """Cannot log in; kept and listed, unlike a deleted user."""


def role_set(roles: Iterable[Role | str]) -> frozenset[Role]:
    """The roles as a non-empty set of ``Role``; unknown names or an empty set raise ``InvalidRoles``."""
    try:
        parsed = frozenset(Role(role) for role in roles)
    except ValueError:
        allowed = ", ".join(role.value for role in Role)
        raise InvalidRoles(f"Roles are among: {allowed}.", context={"field": "roles"}) from None
    if not parsed:
        raise InvalidRoles("A user has at least one role.", context={"field": "roles"})
    return parsed


def user_status(value: UserStatus | str) -> UserStatus:
    """``value`` as a ``UserStatus``; ``InvalidStatus`` for an unknown name."""
    try:
        return UserStatus(value)
    except ValueError:
        allowed = ", ".join(status.value for status in UserStatus)
        raise InvalidStatus(f"A status is one of: {allowed}.", context={"field": "status"}) from None
