"""What the caller may do: ``require_permission(...)`` on every protected route.

A route names the permission it needs (``keel.application.authorization``); the mapping from roles lives there and
nowhere else. The guard is one dependency over ``current_actor`` and does no I/O: it reads the actor's permissions,
computed once per combination of roles.

```python
@router.delete("/{user_id}")
async def delete_user(user_id: UUID, actor: UsersDeleter, ...): ...
```

Guards are instances of ``PermissionGuard`` (``PartnerPermissionGuard`` for signed partner requests), so the route
table can be walked to find the routes that have none (``tests/security``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from keel.application.api_clients import ApiClientPrincipal
from keel.application.authorization import Permission, ensure_permitted
from keel.application.users import Actor
from keel.presentation.api.authentication import CurrentActor
from keel.presentation.api.partner_authentication import CurrentApiClient


class PermissionGuard:
    """A dependency letting through only actors that hold ``permission`` (403 otherwise); it answers the actor."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    async def __call__(self, actor: CurrentActor) -> Actor:
        ensure_permitted(actor, self.permission)
        return actor

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.permission.value!r})"


class PartnerPermissionGuard(PermissionGuard):
    """The same for API clients: the signed request must come from a client holding ``permission``."""

    async def __call__(self, client: CurrentApiClient) -> ApiClientPrincipal:  # type: ignore[override]
        ensure_permitted(client, self.permission)
        return client


def require_permission(permission: Permission) -> PermissionGuard:
    return PermissionGuard(permission)


def require_client_permission(permission: Permission) -> PartnerPermissionGuard:
    return PartnerPermissionGuard(permission)


UsersReader = Annotated[Actor, Depends(require_permission(Permission.USERS_READ))]
ProfileWriter = Annotated[Actor, Depends(require_permission(Permission.PROFILE_WRITE))]
UsersWriter = Annotated[Actor, Depends(require_permission(Permission.USERS_WRITE))]
UsersDeleter = Annotated[Actor, Depends(require_permission(Permission.USERS_DELETE))]
UsersRestorer = Annotated[Actor, Depends(require_permission(Permission.USERS_RESTORE))]
ApiClientManager = Annotated[Actor, Depends(require_permission(Permission.API_CLIENTS_MANAGE))]
AuditReader = Annotated[Actor, Depends(require_permission(Permission.AUDIT_READ))]
JobRunner = Annotated[Actor, Depends(require_permission(Permission.JOBS_RUN))]
PartnerUsersReader = Annotated[ApiClientPrincipal, Depends(require_client_permission(Permission.USERS_READ))]
