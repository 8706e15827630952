"""The permission catalog: one mapping from roles, cumulative, and what it means for actors and API clients."""

from __future__ import annotations

import pytest

from keel.application.api_clients import ApiClientPrincipal
from keel.application.authorization import (
    API_CLIENT_PERMISSIONS,
    ROLE_PERMISSIONS,
    Permission,
    ensure_permitted,
    permissions_of,
)
from keel.application.errors import PermissionDenied
from keel.application.users import Actor
from keel.domain.ids import uuid7
from keel.domain.users import Role


def test_a_user_holds_the_union_of_their_roles_permissions() -> None:
    assert permissions_of(frozenset({Role.MEMBER})) == ROLE_PERMISSIONS[Role.MEMBER]
    assert permissions_of(frozenset({Role.MEMBER, Role.ADMIN})) == ROLE_PERMISSIONS[Role.ADMIN]
    assert permissions_of(frozenset(Role)) == frozenset(Permission)


@pytest.mark.parametrize(
    ("role", "granted", "refused"),
    [
        (Role.MEMBER, {Permission.USERS_READ, Permission.PROFILE_WRITE}, {Permission.USERS_WRITE, Permission.JOBS_RUN}),
        (Role.ADMIN, {Permission.USERS_DELETE, Permission.AUDIT_READ}, {Permission.OWNERS_MANAGE}),
        (Role.OWNER, {Permission.OWNERS_MANAGE, Permission.API_CLIENTS_MANAGE}, set()),
    ],
)
def test_each_role_grants_its_permissions(role: Role, granted: set[Permission], refused: set[Permission]) -> None:
    actor = Actor(user_id=uuid7(), tenant_id=uuid7(), roles=frozenset({role}))
    for permission in granted:
        ensure_permitted(actor, permission)
        assert actor.may(permission)
    for permission in refused:
        with pytest.raises(PermissionDenied, match=permission.value):
            ensure_permitted(actor, permission)


def test_an_api_client_may_only_read() -> None:
    client = ApiClientPrincipal(client_id=uuid7(), tenant_id=uuid7())
    assert client.permissions == API_CLIENT_PERMISSIONS == {Permission.USERS_READ}
    with pytest.raises(PermissionDenied):
        ensure_permitted(client, Permission.USERS_WRITE)


def test_permission_names_follow_resource_colon_action() -> None:
    for permission in Permission:
        resource, _, action = permission.value.partition(":")
        assert resource
        assert action
        assert permission.value == permission.value.lower()
