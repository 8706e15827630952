"""Keyset pagination and the list filters on PostgreSQL: paging through any population in any sort returns every
matching user exactly once, in ``(sort key, id)`` order, whatever the ties."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from persistence_support import MakeUow, MakeUser, Store, with_password

from factories import TenantFactory, UserFactory
from keel.application.pagination import Cursor, InvalidCursor
from keel.application.users import Actor, ListUsers, ListUsersQuery, UserQuery, UserSort
from keel.domain.tenants import Tenant
from keel.domain.users import EmailAddress, Role, User, Username, UserStatus

pytestmark = pytest.mark.integration

BASE = datetime(2025, 1, 1, tzinfo=UTC)
# A narrow alphabet makes near-equal keys ("a.b", "a_b", "a-b", "ab") and ties in created_at likely.
usernames = st.from_regex(r"[ab_.-]{3,5}", fullmatch=True)


@dataclass(frozen=True)
class Population:
    tenant: Tenant
    users: list[User]


@st.composite
def populations(draw: st.DrawFn) -> Population:
    """A tenant's users, some deleted; some deleted ones share their email and username with another user."""
    tenant: Tenant = TenantFactory.build()
    names = draw(st.lists(usernames, min_size=1, max_size=18, unique=True))
    users = [
        UserFactory.build(
            tenant_id=tenant.id,
            email=EmailAddress(f"{name.replace('.', '+')}@{draw(st.sampled_from(['x.io', 'a.io', 'ex-ample.com']))}"),
            username=Username(name),
            created_at=BASE + timedelta(seconds=draw(st.integers(0, 2))),
            deleted_at=BASE if draw(st.booleans()) else None,
        )
        for name in names
    ]
    users += [
        UserFactory.build(
            tenant_id=tenant.id, email=twin.email, username=twin.username, created_at=twin.created_at, deleted_at=BASE
        )
        for twin in draw(st.lists(st.sampled_from(users), max_size=4))
    ]
    return Population(tenant, users)


def _owner(tenant: Tenant) -> Actor:
    return Actor(user_id=UserFactory.build().id, tenant_id=tenant.id, roles=frozenset({Role.OWNER}))


async def _all_pages(list_users: ListUsers, actor: Actor, sort: UserSort, *, size: int, deleted: bool) -> list[User]:
    seen: list[User] = []
    cursor: Cursor | None = None
    while True:
        query = UserQuery(sort=sort, limit=size, include_deleted=deleted, cursor=cursor)
        page = await list_users(ListUsersQuery(actor=actor, criteria=query))
        assert len(page.items) <= size
        seen += page.items
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(population=populations(), size=st.integers(1, 5))
async def test_paging_through_every_sort_returns_each_user_once_in_order(
    uow: MakeUow, store: Store, population: Population, size: int
) -> None:
    tenant, users = population.tenant, population.users
    await store(tenant)
    async with uow() as work:
        await work.users.add_many([with_password(user) for user in users])
        await work.commit()
    list_users, actor = ListUsers(uow), _owner(tenant)

    for sort in UserSort:
        for deleted in (False, True):
            visible = [user for user in users if deleted or not user.is_deleted]
            expected = sorted(visible, key=lambda user: (sort.key_of(user), user.id), reverse=sort.descending)
            listed = await _all_pages(list_users, actor, sort, size=size, deleted=deleted)
            assert [user.id for user in listed] == [user.id for user in expected], (sort, deleted)


@pytest.fixture
async def crowd(tenant: Tenant, make_user: MakeUser) -> dict[str, User]:
    return {
        "ann": await make_user(tenant, "ann", roles=(Role.OWNER,), full_name="Ann 100% Smith"),
        "bob": await make_user(tenant, "bob", roles=(Role.ADMIN, Role.MEMBER), full_name="Bob_Builder"),
        "cid": await make_user(tenant, "cid", status=UserStatus.DISABLED, full_name="Cid Percent"),
        "dee": await make_user(tenant, "dee", full_name="DEE Ohh", deleted_at=BASE),
        "e_f": await make_user(tenant, "e_f", full_name="Éva Fåström"),
    }


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        (UserQuery(), {"ann", "bob", "cid", "e_f"}),
        (UserQuery(include_deleted=True), {"ann", "bob", "cid", "dee", "e_f"}),
        (UserQuery(status=UserStatus.DISABLED), {"cid"}),
        (UserQuery(status=UserStatus.ACTIVE), {"ann", "bob", "e_f"}),
        (UserQuery(role=Role.MEMBER), {"bob", "cid", "e_f"}),
        (UserQuery(role=Role.OWNER), {"ann"}),
        (UserQuery(q="100%"), {"ann"}),  # % is literal
        (UserQuery(q="%"), {"ann"}),
        (UserQuery(q="_"), {"bob", "e_f"}),  # _ is literal: Bob_Builder, e_f
        (UserQuery(q="bo_"), set()),  # and stands for no other character ("bob")
        (UserQuery(q="e_"), {"e_f"}),
        (UserQuery(q="CID@EXAMPLE"), {"cid"}),  # case-insensitive, over the email
        (UserQuery(q="dee"), set()),
        (UserQuery(q="ohh", include_deleted=True), {"dee"}),
        (UserQuery(q="éva få"), {"e_f"}),
        (UserQuery(q="\\"), set()),
        (UserQuery(q="example.com", role=Role.ADMIN, status=UserStatus.ACTIVE), {"bob"}),
    ],
)
async def test_filters(
    uow: MakeUow, tenant: Tenant, crowd: dict[str, User], criteria: UserQuery, expected: set[str]
) -> None:
    async with uow() as work:
        found = await work.users.find(tenant.id, criteria, limit=10)
    assert {user.username.value for user in found} == expected


async def test_a_cursor_whose_key_has_the_wrong_type_is_invalid(uow: MakeUow, tenant: Tenant) -> None:
    bad = Cursor(sort=UserSort.CREATED_AT.value, key=("yesterday",), id=UserFactory.build().id)
    async with uow() as work:
        with pytest.raises(InvalidCursor):
            await work.users.find(tenant.id, UserQuery(cursor=bad), limit=10)
