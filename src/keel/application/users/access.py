"""Who may do what to the users of their tenant. Use cases ask before acting; a refusal is ``PermissionDenied``.

- Anyone reads the tenant's users; only owners and admins see deleted ones.
- Owners and admins create, change, delete and restore users; only owners touch owners or the ``owner`` role.
- Everyone changes their own full name and preferences; email, username, roles and status are managed fields.
- So nobody raises their own roles: members change none, admins cannot grant ``owner``.

Replace or subclass ``UserAccessPolicy`` in the container to change the rules.
"""

from __future__ import annotations

from keel.application.errors import PermissionDenied
from keel.application.users.actor import Actor
from keel.domain.users import Role, User, UserChanges

SELF_SERVICE_FIELDS = frozenset({"full_name", "preferences"})


class UserAccessPolicy:
    def ensure_may_read(self, actor: Actor, *, include_deleted: bool = False) -> None:
        if include_deleted and not actor.manages_users:
            raise PermissionDenied("Only owners and admins see deleted users.")

    def ensure_manages_users(self, actor: Actor) -> None:
        self._ensure_manager(actor)

    def ensure_may_create(self, actor: Actor, roles: frozenset[Role]) -> None:
        self._ensure_manager(actor)
        if Role.OWNER in roles and not actor.is_owner:
            raise PermissionDenied("Only owners make owners.")

    def ensure_may_update(self, actor: Actor, user: User, changes: UserChanges) -> None:
        """``changes`` holds the effective changes only (``User.diff``): resending current values is always allowed."""
        changed = frozenset(changes.given())
        if changed <= SELF_SERVICE_FIELDS and actor.is_(user.id):
            return
        self._ensure_manager(actor)
        self._ensure_may_manage(actor, user)
        if changes.roles is not None and Role.OWNER in changes.roles ^ user.roles and not actor.is_owner:
            raise PermissionDenied("Only owners grant or take away the owner role.")

    def ensure_may_delete(self, actor: Actor, user: User) -> None:
        self._ensure_manager(actor)
        self._ensure_may_manage(actor, user)

    def ensure_may_restore(self, actor: Actor, user: User) -> None:
        self._ensure_manager(actor)
        self._ensure_may_manage(actor, user)

    @staticmethod
    def _ensure_manager(actor: Actor) -> None:
        if not actor.manages_users:
            raise PermissionDenied("Only owners and admins manage users.")

    @staticmethod
    def _ensure_may_manage(actor: Actor, user: User) -> None:
        if Role.OWNER in user.roles and not actor.is_owner:
            raise PermissionDenied("Only owners manage owners.")
