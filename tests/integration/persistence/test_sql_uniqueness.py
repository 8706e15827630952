"""Unique slugs, and emails and usernames unique per tenant among users that are not deleted: a violation raises the
domain's conflict, naming the field, from the write itself."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from persistence_support import MakeUow, MakeUser, Store, with_password

from factories import TenantFactory, UserFactory
from keel.application.users import UserQuery
from keel.domain.errors import Conflict
from keel.domain.tenants import Tenant, TenantNotFound, TenantSlug, TenantSlugTaken
from keel.domain.users import EmailAddress, EmailAlreadyUsed, User, Username, UsernameAlreadyUsed

pytestmark = pytest.mark.integration

NOW = datetime(2025, 6, 1, tzinfo=UTC)


def _user(tenant: Tenant, email: str, username: str) -> User:
    user: User = UserFactory.build(tenant_id=tenant.id, email=EmailAddress(email), username=Username(username))
    return user


async def test_a_taken_slug_fails_the_insert(uow: MakeUow, tenant: Tenant) -> None:
    async with uow() as work:
        with pytest.raises(TenantSlugTaken) as raised:
            await work.tenants.add(TenantFactory.build(slug=tenant.slug))
    assert raised.value.context == {"field": "slug"}


@pytest.mark.parametrize(
    "taken",
    [
        ("ann@example.com", "someone-else", EmailAlreadyUsed, "email"),
        ("other@example.com", "ann", UsernameAlreadyUsed, "username"),
    ],
    ids=["email", "username"],
)
async def test_a_taken_email_or_username_fails_the_insert_naming_the_field(
    uow: MakeUow, tenant: Tenant, make_user: MakeUser, taken: tuple[str, str, type[Conflict], str]
) -> None:
    email, username, error, field = taken
    await make_user(tenant, "ann")
    async with uow() as work:
        with pytest.raises(error) as raised:
            await work.users.add(with_password(_user(tenant, email, username)))
    assert raised.value.context == {"field": field}


async def test_a_duplicate_inside_a_bulk_insert_fails_it_whole(uow: MakeUow, tenant: Tenant) -> None:
    batch = [_user(tenant, "dup@example.com", "first"), _user(tenant, "dup@example.com", "second")]
    async with uow() as work:
        with pytest.raises(EmailAlreadyUsed):
            await work.users.add_many([with_password(user) for user in batch])
    async with uow() as work:
        assert await work.users.find(tenant.id, UserQuery(include_deleted=True), limit=10) == []


async def test_a_renaming_save_that_takes_an_email_fails_at_the_update(
    uow: MakeUow, tenant: Tenant, make_user: MakeUser
) -> None:
    await make_user(tenant, "ann")
    bob = await make_user(tenant, "bob")
    bob.change_email(EmailAddress("ann@example.com"), NOW)
    async with uow() as work:
        with pytest.raises(EmailAlreadyUsed):
            await work.users.save(bob, expected_version=1)


async def test_the_same_email_and_username_may_live_in_two_tenants(
    uow: MakeUow, store: Store, make_user: MakeUser
) -> None:
    acme, globex = TenantFactory.build(), TenantFactory.build()
    await store(acme, globex)
    await make_user(acme, "ann")
    await make_user(globex, "ann")

    async with uow() as work:
        taken = await work.users.existing_emails_and_usernames(
            globex.id, [EmailAddress("ann@example.com")], [Username("ann")]
        )
    assert taken.emails == {EmailAddress("ann@example.com")}
    assert taken.usernames == {Username("ann")}


async def test_a_deleted_users_email_and_username_are_free_again(
    uow: MakeUow, tenant: Tenant, make_user: MakeUser
) -> None:
    await make_user(tenant, "ann", deleted_at=NOW)
    async with uow() as work:
        taken = await work.users.existing_emails_and_usernames(
            tenant.id, [EmailAddress("ann@example.com")], [Username("ann")]
        )
        assert taken.emails == frozenset()
        assert taken.usernames == frozenset()
        await work.users.add(with_password(_user(tenant, "ann@example.com", "ann")))
        await work.commit()


async def test_restoring_a_user_whose_email_was_taken_meanwhile_fails(
    uow: MakeUow, tenant: Tenant, make_user: MakeUser
) -> None:
    gone = await make_user(tenant, "ann", deleted_at=NOW)
    await make_user(tenant, "ann2", email=EmailAddress("ann@example.com"))

    gone.restore(NOW)
    async with uow() as work:
        with pytest.raises(EmailAlreadyUsed):
            await work.users.save(gone, expected_version=1)


async def test_restoring_a_user_whose_username_was_taken_meanwhile_fails(
    uow: MakeUow, tenant: Tenant, make_user: MakeUser
) -> None:
    gone = await make_user(tenant, "ann", deleted_at=NOW)
    await make_user(tenant, "other", username=Username("ann"))

    gone.restore(NOW)
    async with uow() as work:
        with pytest.raises(UsernameAlreadyUsed):
            await work.users.save(gone, expected_version=1)


async def test_existing_emails_and_usernames_reports_exactly_those_taken(
    uow: MakeUow, tenant: Tenant, make_user: MakeUser
) -> None:
    await make_user(tenant, "ann")
    await make_user(tenant, "bob")
    asked_emails = [EmailAddress("ann@example.com"), EmailAddress("new@example.com")]
    asked_usernames = [Username("bob"), Username("newbie"), Username("ann")]

    async with uow() as work:
        taken = await work.users.existing_emails_and_usernames(tenant.id, asked_emails, asked_usernames)

    assert taken.emails == {EmailAddress("ann@example.com")}
    assert taken.usernames == {Username("bob"), Username("ann")}


async def test_a_user_of_an_unknown_tenant_cannot_be_stored(uow: MakeUow) -> None:
    orphan: User = UserFactory.build()
    async with uow() as work:
        with pytest.raises(TenantNotFound):
            await work.users.add(with_password(orphan))


async def test_slugs_compare_exactly(uow: MakeUow, store: Store) -> None:
    await store(TenantFactory.build(slug=TenantSlug("acme")))
    async with uow() as work:
        assert await work.tenants.get_by_slug(TenantSlug("acme-1")) is None
