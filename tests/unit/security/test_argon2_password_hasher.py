"""Argon2id hashing: the right password matches, nothing else does, nothing raises, and parameter changes are seen.

The tests use the cheapest parameters argon2 allows; production cost comes from settings.
"""

from __future__ import annotations

import pytest

from keel.domain.users import Password, PasswordHash
from keel.infrastructure.security import Argon2PasswordHasher

CHEAP = {"time_cost": 1, "memory_cost_kib": 8, "parallelism": 1}
PASSWORD = Password("correct horse battery staple")


@pytest.fixture
def hasher() -> Argon2PasswordHasher:
    return Argon2PasswordHasher(**CHEAP)


async def test_the_password_matches_its_hash(hasher: Argon2PasswordHasher) -> None:
    password_hash = await hasher.hash(PASSWORD)
    assert await hasher.verify(password_hash, PASSWORD.value)
    assert PASSWORD.value not in password_hash.value


async def test_hashes_are_argon2id_with_the_configured_parameters() -> None:
    hasher = Argon2PasswordHasher(time_cost=2, memory_cost_kib=16, parallelism=2)
    password_hash = await hasher.hash(PASSWORD)
    assert password_hash.value.startswith("$argon2id$v=19$m=16,t=2,p=2$")


async def test_each_hash_is_salted(hasher: Argon2PasswordHasher) -> None:
    assert (await hasher.hash(PASSWORD)).value != (await hasher.hash(PASSWORD)).value


@pytest.mark.parametrize(
    "attempt", ["correct horse battery stapl", "Correct horse battery staple", "", "correct horse battery staple "]
)
async def test_any_other_password_does_not_match(hasher: Argon2PasswordHasher, attempt: str) -> None:
    assert not await hasher.verify(await hasher.hash(PASSWORD), attempt)


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "not a hash",
        "fake$v2$0123abcd",
        "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$",
        "$argon2id$v=19$m=8,t=1,p=1$!!!$!!!",
        "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
    ],
    ids=["empty", "text", "other-scheme", "truncated", "bad-base64", "bcrypt"],
)
async def test_an_unreadable_hash_never_matches_and_never_raises(hasher: Argon2PasswordHasher, stored: str) -> None:
    assert not await hasher.verify(PasswordHash(stored), PASSWORD.value)
    assert hasher.needs_rehash(PasswordHash(stored))  # whatever it is, a good log-in should replace it


async def test_a_tampered_hash_does_not_match(hasher: Argon2PasswordHasher) -> None:
    value = (await hasher.hash(PASSWORD)).value
    tampered = value[:-2] + ("A" if value[-2] != "A" else "B") + value[-1]
    assert not await hasher.verify(PasswordHash(tampered), PASSWORD.value)


async def test_a_password_with_lone_surrogates_is_hashed_and_checked(hasher: Argon2PasswordHasher) -> None:
    odd = Password("surrogate \ud800 inside it")
    password_hash = await hasher.hash(odd)
    assert await hasher.verify(password_hash, odd.value)
    assert not await hasher.verify(password_hash, "surrogate \ud801 inside it")


async def test_a_hash_made_with_older_parameters_still_matches_and_needs_a_rehash(
    hasher: Argon2PasswordHasher,
) -> None:
    old_hash = await hasher.hash(PASSWORD)
    assert not hasher.needs_rehash(old_hash)
    stronger = Argon2PasswordHasher(time_cost=2, memory_cost_kib=16, parallelism=1)
    assert await stronger.verify(old_hash, PASSWORD.value)
    assert stronger.needs_rehash(old_hash)
    assert not stronger.needs_rehash(await stronger.hash(PASSWORD))
