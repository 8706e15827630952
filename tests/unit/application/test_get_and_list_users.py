"""GetUser and ListUsers: tenant-scoped reads, filters, an allowlisted sort, keyset pages that never skip or repeat."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fakes.clock import START
from fakes.world import World, actor
from keel.application.errors import PermissionDenied
from keel.application.pagination import Cursor, InvalidCursor, PageSizeOutOfRange
from keel.application.users import (
    GetUser,
    GetUserQuery,
    InvalidSearch,
    ListUsers,
    ListUsersQuery,
    UnknownSort,
    UserQuery,
    UserSort,
)
from keel.domain.ids import uuid7
from keel.domain.tenants import Tenant
from keel.domain.users import Role, User, UserNotFound, UserStatus


def seed_users(world: World, tenant: Tenant, count: int) -> list[User]:
    """Users created in pairs at the same instant, so the id has to break ties."""
    names = ["zoe", "adam", "mia", "bob", "eve", "carl", "ida", "dan", "fay", "gus", "hal", "ivy"]
    return [
        world.user(tenant, f"{names[i % len(names)]}{i:02d}", created_at=START + timedelta(seconds=i // 2))
        for i in range(count)
    ]


async def read_all(world: World, reader: User, query: UserQuery) -> list[User]:
    list_users, seen, cursor = ListUsers(world.uow), [], None
    while True:
        page = await list_users(ListUsersQuery(actor=actor(reader), criteria=_with(query, cursor)))
        assert len(page.items) <= query.limit
        seen.extend(page.items)
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor


def _with(query: UserQuery, cursor: Cursor | None) -> UserQuery:
    return UserQuery(
        status=query.status, role=query.role, q=query.q, sort=query.sort, include_deleted=query.include_deleted,
        cursor=cursor, limit=query.limit,
    )  # fmt: skip


async def test_get_user_finds_users_of_the_actors_tenant_only(world: World) -> None:
    tenant = world.tenant()
    reader, target = world.user(tenant, "reader"), world.user(tenant, "target")
    stranger = world.user(world.tenant("other"), "stranger")
    get_user = GetUser(world.uow)
    assert (await get_user(GetUserQuery(actor=actor(reader), user_id=target.id))).id == target.id
    for missing in (stranger.id, uuid7()):
        with pytest.raises(UserNotFound):
            await get_user(GetUserQuery(actor=actor(reader), user_id=missing))


async def test_deleted_users_are_seen_only_by_managers_who_ask(world: World) -> None:
    tenant = world.tenant()
    member, admin = world.user(tenant, "member"), world.user(tenant, "admin", roles=[Role.ADMIN])
    gone = world.user(tenant, "gone", deleted_at=START)
    get_user = GetUser(world.uow)
    with pytest.raises(UserNotFound):
        await get_user(GetUserQuery(actor=actor(admin), user_id=gone.id))
    assert (await get_user(GetUserQuery(actor=actor(admin), user_id=gone.id, include_deleted=True))).is_deleted
    with pytest.raises(PermissionDenied):
        await get_user(GetUserQuery(actor=actor(member), user_id=gone.id, include_deleted=True))


@settings(max_examples=40)
@given(sort=st.sampled_from(UserSort), limit=st.integers(min_value=1, max_value=7))
async def test_paging_through_gives_every_user_once_in_a_stable_order(sort: UserSort, limit: int) -> None:
    world = World()
    tenant = world.tenant()
    users = seed_users(world, tenant, 11)
    world.user(world.tenant("other"), "outsider")
    paged = await read_all(world, users[0], UserQuery(sort=sort, limit=limit))
    expected = sorted(users, key=lambda u: (sort.key_of(u), u.id), reverse=sort.descending)
    assert [u.id for u in paged] == [u.id for u in expected]


async def test_filters_by_status_role_and_text(world: World) -> None:
    tenant = world.tenant()
    reader = world.user(tenant, "reader", full_name="Rita Reader")
    admin = world.user(tenant, "admin", roles=[Role.ADMIN, Role.MEMBER], full_name="Ada Admin")
    disabled = world.user(tenant, "sleepy", status=UserStatus.DISABLED, full_name="Sam 100%_Sleepy")
    world.user(tenant, "gone", deleted_at=START, full_name="Ada Gone")

    async def ids(**criteria: object) -> set[object]:
        return {u.id for u in await read_all(world, admin, UserQuery(**criteria))}  # type: ignore[arg-type]

    assert await ids(status=UserStatus.DISABLED) == {disabled.id}
    assert await ids(role=Role.ADMIN) == {admin.id}
    assert await ids(q="  ADA ") == {admin.id}
    assert await ids(q="reader@EXAMPLE") == {reader.id}
    assert await ids(q="100%_") == {disabled.id}
    assert await ids(q="") == {reader.id, admin.id, disabled.id}
    assert len(await ids(q="ada", include_deleted=True)) == 2


@pytest.mark.parametrize("limit", [0, 101, -1])
def test_a_page_has_one_to_a_hundred_items(limit: int) -> None:
    with pytest.raises(PageSizeOutOfRange):
        UserQuery(limit=limit)


def test_the_default_page_has_twenty_items_and_the_maximum_is_accepted() -> None:
    assert UserQuery().limit == 20
    assert UserQuery(limit=100).limit == 100


def test_a_cursor_of_another_sort_is_refused() -> None:
    with pytest.raises(InvalidCursor):
        UserQuery(sort=UserSort.EMAIL, cursor=Cursor(sort="created_at", key=(START,), id=uuid7()))


def test_sorts_come_from_an_allowlist() -> None:
    assert UserSort.parse("-username") is UserSort.USERNAME_DESC
    with pytest.raises(UnknownSort):
        UserSort.parse("password_hash")


async def test_an_empty_tenant_is_one_empty_page(world: World) -> None:
    reader = world.user(world.tenant(), "reader", deleted_at=START)
    page = await ListUsers(world.uow)(ListUsersQuery(actor=actor(reader), criteria=UserQuery()))
    assert (list(page.items), page.next_cursor, page.has_more) == ([], None, False)


@pytest.mark.parametrize("search", ["ann\x00", "\x1b[31mann", "a\x07b"])
def test_a_search_with_control_characters_is_refused(search: str) -> None:
    with pytest.raises(InvalidSearch) as refused:
        UserQuery(q=search)
    assert refused.value.context == {"field": "q"}


def test_a_search_may_hold_ordinary_whitespace_and_any_script() -> None:
    assert UserQuery(q=" Zoë 李\tann ").q == "Zoë 李\tann"
