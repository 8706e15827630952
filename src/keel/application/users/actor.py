"""Who is acting: the authenticated user as the presentation layer established it (from the access token).

The actor's tenant scopes every query of the users use cases; a user of another tenant is not found.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from keel.domain.users import Role


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: UUID
    tenant_id: UUID
    roles: frozenset[Role]

    @property
    def is_owner(self) -> bool:
        return Role.OWNER in self.roles

    @property
    def manages_users(self) -> bool:
        """Owners and admins manage the tenant's users."""
        return self.is_owner or Role.ADMIN in self.roles

    def is_(self, user_id: UUID) -> bool:
        return self.user_id == user_id
