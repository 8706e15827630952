"""Who may do what to the users of their tenant. Use cases ask before acting; a refusal is ``PermissionDenied``.

Every rule is stated in permissions (``keel.application.authorization``), never in roles:

- ``users:read`` reads the tenant's users; deleted ones also need ``users:restore``.
- ``users:write`` creates users and changes their managed fields (email, username, roles, status);
  ``users:delete`` and ``users:restore`` delete and restore them.
- A user, or the ``owner`` role, is managed only with ``owners:manage``: whoever lacks it can neither touch an owner
  nor grant or take away the role.
- ``profile:write`` changes one's own full name and preferences; every other field is a managed one.
- So nobody raises their own roles: members hold no ``users:write``, admins no ``owners:manage``.

Replace or subclass ``UserAccessPolicy`` in the container to change the rules.
"""

from __future__ import annotations

from keel.application.authorization import Permission, Principal, ensure_permitted
from keel.application.errors import PermissionDenied
from keel.application.users.actor import Actor
from keel.domain.users import Role, User, UserChanges

SELF_SERVICE_FIELDS = frozenset({"full_name", "preferences"})


class UserAccessPolicy:
    def ensure_may_read(self, principal: Principal, *, include_deleted: bool = False) -> None:
        ensure_permitted(principal, Permission.USERS_READ)
        if include_deleted and Permission.USERS_RESTORE not in principal.permissions:
            raise PermissionDenied("Seeing deleted users needs the permission users:restore.")

    def ensure_manages_users(self, actor: Actor) -> None:
        ensure_permitted(actor, Permission.USERS_WRITE)

    def ensure_may_create(self, actor: Actor, roles: frozenset[Role]) -> None:
        ensure_permitted(actor, Permission.USERS_WRITE)
        if Role.OWNER in roles and not actor.may(Permission.OWNERS_MANAGE):
            raise PermissionDenied("Only owners make owners.")

    def ensure_may_update(self, actor: Actor, user: User, changes: UserChanges) -> None:
        """``changes`` holds the effective changes only (``User.diff``): resending current values is always allowed."""
        changed = frozenset(changes.given())
        if changed <= SELF_SERVICE_FIELDS and actor.is_(user.id):
            ensure_permitted(actor, Permission.PROFILE_WRITE)
            return
        ensure_permitted(actor, Permission.USERS_WRITE)
        self._ensure_may_manage(actor, user)
        grants_or_takes_ownership = changes.roles is not None and Role.OWNER in changes.roles ^ user.roles
        if grants_or_takes_ownership and not actor.may(Permission.OWNERS_MANAGE):
            raise PermissionDenied("Only owners grant or take away the owner role.")

    def ensure_may_delete(self, actor: Actor, user: User) -> None:
        ensure_permitted(actor, Permission.USERS_DELETE)
        self._ensure_may_manage(actor, user)

    def ensure_may_restore(self, actor: Actor, user: User) -> None:
        ensure_permitted(actor, Permission.USERS_RESTORE)
        self._ensure_may_manage(actor, user)

    @staticmethod
    def _ensure_may_manage(actor: Actor, user: User) -> None:
        if Role.OWNER in user.roles and not actor.may(Permission.OWNERS_MANAGE):
            raise PermissionDenied("Only owners manage owners.")
