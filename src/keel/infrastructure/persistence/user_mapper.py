"""Users to ``users`` rows and back, field by field.

The password hash is a column of the row but not an attribute of ``User``: ``USER_COLUMNS`` (what every read selects)
leaves it out, and only ``credentials_from_row`` and ``new_user_values`` handle it.
"""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import Column, RowMapping

from keel.domain.users import (
    EmailAddress,
    PasswordHash,
    Preferences,
    User,
    UserCredentials,
    Username,
    UserStatus,
    role_set,
)
from keel.infrastructure.database.models.users import users_table

USER_COLUMNS: Final[tuple[Column[Any], ...]] = tuple(
    column for column in users_table.columns if column.name != "password_hash"
)
IMMUTABLE_COLUMNS: Final = frozenset({"id", "tenant_id", "created_at"})


def user_from_row(row: RowMapping) -> User:
    """The user a row stores, without pending events (it was loaded, nothing happened to it yet)."""
    return User(
        id=row["id"],
        tenant_id=row["tenant_id"],
        email=EmailAddress(row["email"]),
        username=Username(row["username"]),
        full_name=row["full_name"],
        roles=role_set(row["roles"]),
        status=UserStatus(row["status"]),
        preferences=Preferences(locale=row["locale"], timezone=row["timezone"]),
        email_verified_at=row["email_verified_at"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        deleted_at=row["deleted_at"],
        version=row["version"],
    )


def credentials_from_row(row: RowMapping) -> UserCredentials:
    return UserCredentials(user=user_from_row(row), password_hash=PasswordHash(row["password_hash"]))


def user_values(user: User) -> dict[str, object]:
    """The column values of the user's row, except the password hash. Roles are stored sorted."""
    return {
        "id": user.id,
        "tenant_id": user.tenant_id,
        "email": user.email.value,
        "username": user.username.value,
        "full_name": user.full_name,
        "roles": sorted(role.value for role in user.roles),
        "status": user.status.value,
        "email_verified_at": user.email_verified_at,
        "locale": user.preferences.locale,
        "timezone": user.preferences.timezone,
        "created_at": user.created_at,
        "updated_at": user.updated_at,
        "deleted_at": user.deleted_at,
        "version": user.version,
    }


def changed_user_values(user: User) -> dict[str, object]:
    """What ``save`` writes: the values that may change over a user's life."""
    return {name: value for name, value in user_values(user).items() if name not in IMMUTABLE_COLUMNS}


def new_user_values(new_user: UserCredentials) -> dict[str, object]:
    """The complete row of a new user."""
    return user_values(new_user.user) | {"password_hash": new_user.password_hash.value}
