"""Authorization: the permission catalog, the one mapping from roles to permissions, and the principals that hold
them (a user acting through an access token, or an API client through a signed request)."""

from keel.application.authorization.permissions import (
    API_CLIENT_PERMISSIONS,
    ROLE_PERMISSIONS,
    Permission,
    Principal,
    ensure_permitted,
    permissions_of,
)

__all__ = [
    "API_CLIENT_PERMISSIONS",
    "ROLE_PERMISSIONS",
    "Permission",
    "Principal",
    "ensure_permitted",
    "permissions_of",
]
