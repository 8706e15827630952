"""The permission catalog and the one place where roles are mapped to permissions.

A route or a use case asks for a permission (``users:write``), never for a role: which roles grant it is decided here
and nowhere else. The mapping is cumulative — an admin may do everything a member may, an owner everything an admin
may — and pure: no I/O, computed once per combination of roles.

| permission | member | admin | owner | API client |
| --- | :-: | :-: | :-: | :-: |
| ``users:read`` — read the tenant's users | ✓ | ✓ | ✓ | ✓ |
| ``profile:write`` — change one's own full name and preferences | ✓ | ✓ | ✓ | |
| ``users:write`` — create users, change their managed fields | | ✓ | ✓ | |
| ``users:delete`` — soft-delete users | | ✓ | ✓ | |
| ``users:restore`` — see and restore deleted users | | ✓ | ✓ | |
| ``jobs:run`` — start background jobs | | ✓ | ✓ | |
| ``audit:read`` — read the audit trail | | ✓ | ✓ | |
| ``owners:manage`` — grant or remove the owner role, manage owners | | | ✓ | |
| ``api_clients:manage`` — create, rotate and revoke API clients | | | ✓ | |
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from functools import cache
from types import MappingProxyType
from typing import Final, Protocol
from uuid import UUID

from keel.application.errors import PermissionDenied
from keel.domain.users import Role


class Permission(StrEnum):
    USERS_READ = "users:read"
    PROFILE_WRITE = "profile:write"
    USERS_WRITE = "users:write"
    USERS_DELETE = "users:delete"
    USERS_RESTORE = "users:restore"
    JOBS_RUN = "jobs:run"
    AUDIT_READ = "audit:read"
    OWNERS_MANAGE = "owners:manage"
    API_CLIENTS_MANAGE = "api_clients:manage"


_MEMBER: Final = frozenset({Permission.USERS_READ, Permission.PROFILE_WRITE})
_ADMIN: Final = _MEMBER | {
    Permission.USERS_WRITE,
    Permission.USERS_DELETE,
    Permission.USERS_RESTORE,
    Permission.JOBS_RUN,
    Permission.AUDIT_READ,
}
_OWNER: Final = _ADMIN | {Permission.OWNERS_MANAGE, Permission.API_CLIENTS_MANAGE}

ROLE_PERMISSIONS: Final[Mapping[Role, frozenset[Permission]]] = MappingProxyType(
    {Role.MEMBER: _MEMBER, Role.ADMIN: _ADMIN, Role.OWNER: _OWNER}
)
"""What each role grants. A user holds the union of their roles' permissions."""

API_CLIENT_PERMISSIONS: Final = frozenset({Permission.USERS_READ})
"""What a tenant's API client may do through signed requests: read, nothing else."""


@cache
def permissions_of(roles: frozenset[Role]) -> frozenset[Permission]:
    """The union of the permissions of ``roles`` (computed once per combination)."""
    granted: frozenset[Permission] = frozenset()
    for role in roles:
        granted |= ROLE_PERMISSIONS[role]
    return granted


class Principal(Protocol):
    """Whoever is acting, as far as authorization cares: the tenant they act in and what they may do there."""

    @property
    def tenant_id(self) -> UUID: ...

    @property
    def permissions(self) -> frozenset[Permission]: ...


def ensure_permitted(principal: Principal, permission: Permission) -> None:
    """``PermissionDenied`` unless ``principal`` holds ``permission``."""
    if permission not in principal.permissions:
        raise PermissionDenied(f"This needs the permission {permission.value}.")
