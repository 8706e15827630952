"""Login: tokens for the right password, starting a session; one indistinguishable error for every failure;
outdated hashes upgraded."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fakes import fake_hash
from fakes.passwords import CURRENT_SCHEME
from fakes.world import PASSWORD, REFRESH_TTL_SECONDS, World
from keel.application.auth import InvalidCredentials, Login, LoginCommand
from keel.application.errors import AuthenticationRequired
from keel.domain.auth import TokenDigest
from keel.domain.tenants import TenantStatus
from keel.domain.users import UserStatus


def login(world: World) -> Login:
    return Login(world.uow, world.hasher, world.sessions(), world.clock)


async def test_the_right_password_gets_a_token_for_that_user(world: World) -> None:
    user = world.user(world.tenant("acme"), "ann")
    tokens = await login(world)(LoginCommand(tenant_slug="acme", email="  ANN@example.com", password=PASSWORD))
    token = tokens.access
    assert token.access_token == f"token-for:{user.id}"
    assert world.tokens.issued_to == [user.id]
    assert token.expires_in > 0
    assert token.token_type == "Bearer"
    assert PASSWORD not in repr(LoginCommand(tenant_slug="acme", email="ann@example.com", password=PASSWORD))
    assert token.access_token not in repr(token)
    assert tokens.refresh_token not in repr(tokens)


async def test_a_login_starts_a_session_whose_refresh_token_is_stored_as_a_digest_only(world: World) -> None:
    user = world.user(world.tenant("acme"), "ann")
    tokens = await login(world)(LoginCommand(tenant_slug="acme", email="ann@example.com", password=PASSWORD))
    [stored] = world.db.refresh_tokens.values()
    assert stored.digest == TokenDigest.of(tokens.refresh_token)
    assert tokens.refresh_token.encode() not in repr(world.db.refresh_tokens).encode()
    assert (stored.tenant_id, stored.user_id, stored.family_id) == (user.tenant_id, user.id, stored.id)
    assert stored.expires_at == world.clock.now() + timedelta(seconds=REFRESH_TTL_SECONDS)
    assert tokens.refresh_expires_in == REFRESH_TTL_SECONDS
    assert world.tokens.sessions == [stored.family_id], "the access token names the session it belongs to"
    assert len(tokens.refresh_token) >= 43, "at least 256 random bits"


async def test_each_login_starts_its_own_session(world: World) -> None:
    world.user(world.tenant("acme"), "ann")
    command = LoginCommand(tenant_slug="acme", email="ann@example.com", password=PASSWORD)
    first, second = await login(world)(command), await login(world)(command)
    assert first.refresh_token != second.refresh_token
    assert len({token.family_id for token in world.db.refresh_tokens.values()}) == 2


@pytest.mark.parametrize(
    ("slug", "email", "password"),
    [
        ("acme", "ann@example.com", "wrong password!"),
        ("acme", "nobody@example.com", PASSWORD),
        ("nowhere", "ann@example.com", PASSWORD),
        ("Not A Slug", "ann@example.com", PASSWORD),
        ("acme", "not an email", PASSWORD),
        ("acme", "ann@example.com", ""),
        ("other", "ann@example.com", PASSWORD),
        ("acme", "disabled@example.com", PASSWORD),
        ("acme", "deleted@example.com", PASSWORD),
        ("paused", "ann@example.com", PASSWORD),
    ],
)
async def test_every_failure_is_the_same_error_after_one_password_check(
    world: World, slug: str, email: str, password: str
) -> None:
    acme = world.tenant("acme")
    world.user(acme, "ann")
    world.user(acme, "disabled", status=UserStatus.DISABLED)
    world.user(acme, "deleted", deleted_at=world.clock.now())
    world.tenant("other")
    world.user(world.tenant("paused", status=TenantStatus.SUSPENDED), "ann")
    with pytest.raises(InvalidCredentials) as raised:
        await login(world)(LoginCommand(tenant_slug=slug, email=email, password=password))
    assert isinstance(raised.value, AuthenticationRequired)
    assert (raised.value.code, raised.value.detail) == ("invalid_credentials", InvalidCredentials().detail)
    assert len(world.hasher.verified) == 1, "a missing user still costs one verification, against a dummy hash"
    assert world.tokens.issued_to == []
    assert world.db.refresh_tokens == {}


async def test_an_email_shared_with_deleted_users_logs_in_as_the_non_deleted_one(world: World) -> None:
    acme = world.tenant("acme")
    old_password = "an older password of a former ann"
    world.user(acme, "ann", deleted_at=world.clock.now(), password_hash=fake_hash(old_password))
    ann = world.user(acme, "ann")
    world.user(acme, "ann", deleted_at=world.clock.now(), password_hash=fake_hash(old_password))
    tokens = await login(world)(LoginCommand(tenant_slug="acme", email="ann@example.com", password=PASSWORD))
    assert tokens.access.access_token == f"token-for:{ann.id}"
    with pytest.raises(InvalidCredentials):
        await login(world)(LoginCommand(tenant_slug="acme", email="ann@example.com", password=old_password))
    assert world.tokens.issued_to == [ann.id]


async def test_the_dummy_hash_is_made_once_with_current_parameters(world: World) -> None:
    world.tenant("acme")
    use_case = login(world)
    for _ in range(3):
        with pytest.raises(InvalidCredentials):
            await use_case(LoginCommand(tenant_slug="acme", email="nobody@example.com", password=PASSWORD))
    assert len(set(world.hasher.verified)) == 1
    assert not world.hasher.needs_rehash(world.hasher.verified[0])


async def test_an_outdated_hash_is_replaced_after_a_good_login(world: World) -> None:
    user = world.user(world.tenant("acme"), "ann", password_hash=fake_hash(PASSWORD, scheme="v1"))
    await login(world)(LoginCommand(tenant_slug="acme", email="ann@example.com", password=PASSWORD))
    assert world.db.password_hashes[user.id] == fake_hash(PASSWORD, scheme=CURRENT_SCHEME)
    assert world.stored(user).version == 1
    assert world.bus.published == []


async def test_a_current_hash_is_left_alone(world: World) -> None:
    user = world.user(world.tenant("acme"), "ann")
    await login(world)(LoginCommand(tenant_slug="acme", email="ann@example.com", password=PASSWORD))
    assert world.db.password_hashes[user.id] == fake_hash(PASSWORD)
    assert world.db.statements["users.replace_password_hash"] == 0
    assert world.db.commits == 1, "one commit: the session's refresh token"


async def test_a_password_older_than_the_policy_still_logs_in_and_keeps_its_hash(world: World) -> None:
    legacy = fake_hash("short", scheme="v1")
    user = world.user(world.tenant("acme"), "ann", password_hash=legacy)
    await login(world)(LoginCommand(tenant_slug="acme", email="ann@example.com", password="short"))
    assert world.db.password_hashes[user.id] == legacy
