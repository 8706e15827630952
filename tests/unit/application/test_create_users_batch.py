"""CreateUsersBatch: each item created or reported by index, duplicates found in memory and with one set-based query
(deleted users ignored), one bulk insert whatever the size."""

from __future__ import annotations

import pytest

from factories import UserFactory
from fakes import fake_hash
from fakes.world import PASSWORD, World, actor
from keel.application.errors import PermissionDenied
from keel.application.users import BatchItemError, CreateUsersBatch, CreateUsersBatchCommand, NewUser
from keel.domain.users import MAX_IMPORT_CHUNK_SIZE, BatchTooLarge, EmailAddress, EmailAlreadyUsed, Role, UserCreated


def item(name: str, **overrides: object) -> NewUser:
    fields: dict[str, object] = {"email": f"{name}@example.com", "username": name, "password": PASSWORD} | overrides
    return NewUser(**fields)  # type: ignore[arg-type]


def batch(world: World, max_batch_size: int = 100) -> CreateUsersBatch:
    return CreateUsersBatch(world.uow, world.hasher, world.clock, world.ids, max_batch_size=max_batch_size)


async def test_creates_the_valid_items_and_reports_the_others_by_index(world: World) -> None:
    tenant = world.tenant()
    admin = world.user(tenant, "admin", roles=[Role.ADMIN])
    world.user(tenant, "taken")
    result = await batch(world)(
        CreateUsersBatchCommand(
            actor=actor(admin),
            users=[
                item("ann"),
                item("bad", email="not-an-email"),
                item("bob", password="short"),
                item("ann2", email="ANN@example.com"),
                item("taken"),
                item("cyd", roles=[Role.OWNER]),
                item("ann", email="ann-again@example.com"),
                item("dee", full_name="Dee Dee", roles=[Role.ADMIN]),
            ],
        )
    )
    assert [(c.index, c.user.username.value) for c in result.created] == [(0, "ann"), (7, "dee")]
    assert [(e.index, e.code, e.field) for e in result.errors] == [
        (1, "invalid_email", "email"),
        (2, "weak_password", "password"),
        (3, "email_already_used", "email"),
        (4, "email_already_used", "email"),
        (5, "permission_denied", None),
        (6, "username_already_used", "username"),
    ]
    assert "Item 0" in result.errors[2].detail
    assert {u.username.value for u in world.db.users.values()} == {"admin", "taken", "ann", "dee"}
    assert world.db.password_hashes[result.created[0].user.id] == fake_hash(PASSWORD)
    assert len(world.bus.of_type(UserCreated)) == 2


async def test_a_full_batch_makes_one_lookup_one_insert_one_outbox_write_and_one_audit_write(world: World) -> None:
    tenant = world.tenant()
    owner = world.user(tenant, "owner", roles=[Role.OWNER])
    world.user(tenant, "user050")
    world.db.statements.clear()
    result = await batch(world)(
        CreateUsersBatchCommand(actor=actor(owner), users=[item(f"user{n:03d}") for n in range(100)])
    )
    assert (len(result.created), [e.index for e in result.errors]) == (99, [50])
    assert world.db.statements == {
        "users.existing_emails_and_usernames": 1,
        "users.add_many": 1,
        "outbox.add": 1,
        "audit_events.add": 1,
    }
    assert world.db.commits == 1
    assert len(world.db.outbox) == 99


async def test_deleted_users_do_not_count_as_duplicates(world: World) -> None:
    tenant = world.tenant()
    owner = world.user(tenant, "owner", roles=[Role.OWNER])
    world.user(tenant, "gone", deleted_at=world.clock.now())
    world.user(tenant, "taken")
    result = await batch(world)(
        CreateUsersBatchCommand(actor=actor(owner), users=[item("gone"), item("taken"), item("ann", username="gone")])
    )
    assert [(c.index, c.user.email.value) for c in result.created] == [(0, "gone@example.com")]
    assert [(e.index, e.code) for e in result.errors] == [(1, "email_already_used"), (2, "username_already_used")]
    assert "Item 0" in result.errors[1].detail
    assert [u.is_deleted for u in world.db.users.values() if u.username.value == "gone"] == [True, False]


async def test_more_than_the_maximum_is_refused_whole(world: World) -> None:
    owner = world.user(world.tenant(), "owner", roles=[Role.OWNER])
    with pytest.raises(BatchTooLarge):
        await batch(world, max_batch_size=3)(
            CreateUsersBatchCommand(actor=actor(owner), users=[item(f"user{n}") for n in range(4)])
        )
    assert len(world.db.users) == 1


def test_the_maximum_cannot_exceed_the_domain_ceiling(world: World) -> None:
    with pytest.raises(ValueError, match="max_batch_size"):
        batch(world, max_batch_size=MAX_IMPORT_CHUNK_SIZE + 1)
    with pytest.raises(ValueError, match="max_batch_size"):
        batch(world, max_batch_size=0)


async def test_members_cannot_create_users_in_bulk(world: World) -> None:
    member = world.user(world.tenant(), "member")
    with pytest.raises(PermissionDenied):
        await batch(world)(CreateUsersBatchCommand(actor=actor(member), users=[item("ann")]))


async def test_an_empty_batch_touches_nothing(world: World) -> None:
    owner = world.user(world.tenant(), "owner", roles=[Role.OWNER])
    result = await batch(world)(CreateUsersBatchCommand(actor=actor(owner), users=[]))
    assert (result.created, result.errors, world.db.commits) == ((), (), 0)


async def test_a_duplicate_committed_meanwhile_fails_the_whole_batch_cleanly(world: World) -> None:
    tenant = world.tenant()
    owner = world.user(tenant, "owner", roles=[Role.OWNER])
    rival = UserFactory.build(tenant_id=tenant.id, email=EmailAddress("bob@example.com"))
    world.db.before_commit.append(lambda: world.db.seed(rival))
    with pytest.raises(EmailAlreadyUsed):
        await batch(world)(CreateUsersBatchCommand(actor=actor(owner), users=[item("ann"), item("bob")]))
    assert set(world.db.users) == {owner.id, rival.id}
    assert world.bus.published == []


def test_item_errors_say_which_field() -> None:
    assert BatchItemError.of(3, EmailAlreadyUsed()) == BatchItemError(
        index=3, code="email_already_used", detail="This email address is already used.", field="email"
    )
