"""Who is acting: the authenticated user as the presentation layer established it (from the access token).

The actor's tenant scopes every query of the users use cases; a user of another tenant is not found. What the actor
may do follows from their roles through the permission catalog (``keel.application.authorization``), the one place
that maps roles to permissions.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from keel.application.authorization import Permission, permissions_of
from keel.domain.users import Role


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: UUID
    tenant_id: UUID
    roles: frozenset[Role]

    @property
    def permissions(self) -> frozenset[Permission]:
        return permissions_of(self.roles)

    def may(self, permission: Permission) -> bool:
        return permission in permissions_of(self.roles)

    def is_(self, user_id: UUID) -> bool:
        return self.user_id == user_id
