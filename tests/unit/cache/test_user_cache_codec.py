"""A user survives the cache's encoding unchanged; the shipped dictionary compresses realistic users at least 2.5
times; values that are not user records are refused as undecodable (the store then reads the database)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keel.domain.users import EmailAddress, Preferences, Role, User, Username, UserStatus
from keel.infrastructure.cache.codec import ZSTD_DICT, UndecodableValue, ValueCodec
from keel.infrastructure.cache.dictionaries import (
    CURRENT,
    PREVIOUS,
    DictionaryFileError,
    dictionary_file_name,
    load_dictionary,
)
from keel.infrastructure.cache.samples import EVALUATION_SEED, generate_users
from keel.infrastructure.cache.training import measure_compression
from keel.infrastructure.cache.user_codec import UserCacheCodec, shipped_user_cache_codec, user_record
from strategies import emails, usernames

MINIMUM_RATIO = 2.5

instants = st.datetimes(
    min_value=datetime(1900, 1, 1),
    max_value=datetime(2200, 1, 1),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30)), ZoneInfo("America/New_York")]),
    allow_imaginary=False,
)
full_names = (
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40).map(str.strip).filter(str.isprintable)
)
users = st.builds(
    User,
    id=st.uuids(),
    tenant_id=st.uuids(),
    email=emails.map(EmailAddress),
    username=usernames.map(Username),
    full_name=full_names,
    roles=st.frozensets(st.sampled_from(Role), min_size=1),
    status=st.sampled_from(UserStatus),
    preferences=st.builds(
        Preferences,
        locale=st.sampled_from(["en", "en-US", "pt-BR", "zh-Hant-TW", "de"]),
        timezone=st.sampled_from(["UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata"]),
    ),
    email_verified_at=st.none() | instants,
    created_at=instants,
    updated_at=instants,
    deleted_at=st.none() | instants,
    version=st.integers(min_value=1, max_value=2**31 - 1),
)


def state(user: User) -> dict[str, object]:
    """Every field; instants as UTC (an ambiguous local time never compares equal to another zone's, by design)."""
    values = {field.name: getattr(user, field.name) for field in dataclasses.fields(user) if field.name != "_events"}
    return {name: value.astimezone(UTC) if isinstance(value, datetime) else value for name, value in values.items()}


@pytest.fixture(scope="module")
def codec() -> UserCacheCodec:
    codec = shipped_user_cache_codec()
    codec.encode(generate_users(1, seed=2)[0])  # zstd loads the dictionary's tables on first use
    return codec


@settings(deadline=None)  # tests never time themselves; parallel runs share the CPU
@given(user=users)
def test_a_user_decodes_to_the_same_state_with_instants_in_utc(codec: UserCacheCodec, user: User) -> None:
    decoded = codec.decode(codec.encode(user), tenant_id=user.tenant_id, user_id=user.id)
    assert state(decoded) == state(user)
    assert all(
        moment.tzinfo is UTC
        for moment in (decoded.created_at, decoded.updated_at, decoded.email_verified_at, decoded.deleted_at)
        if moment is not None
    )


def test_the_ids_come_from_the_key_not_the_value(codec: UserCacheCodec) -> None:
    user = generate_users(1, seed=3)[0]
    other = generate_users(2, seed=4)[1]
    decoded = codec.decode(codec.encode(user), tenant_id=other.tenant_id, user_id=other.id)
    assert (decoded.tenant_id, decoded.id) == (other.tenant_id, other.id)
    assert str(user.id).encode() not in user_record(user)


def test_the_shipped_dictionary_compresses_held_out_users_at_least_two_and_a_half_times(
    codec: UserCacheCodec,
) -> None:
    held_out = generate_users(1_000, seed=EVALUATION_SEED)
    report = measure_compression(codec, held_out)
    print(f"shipped dictionary {CURRENT}: {report.describe()}")
    assert report.records == 1_000
    assert report.ratio >= MINIMUM_RATIO
    assert all(codec.encode(user)[0] == ZSTD_DICT for user in held_out[:50])


@pytest.mark.parametrize(
    "record",
    [
        pytest.param(b'{"full_name": "Ann"}', id="not an array"),
        pytest.param(b'["Ann","ann"]', id="too few fields"),
        pytest.param(b"\xff\xfe", id="not utf-8"),
        pytest.param(
            b'["Ann","ann","not an email",["member"],"active","en","UTC",1,null,0,null,0]', id="invalid email"
        ),
        pytest.param(b'["Ann","ann","ann@example.com",[],"active","en","UTC",1,null,0,null,0]', id="no role"),
        pytest.param(
            b'["Ann","ann","ann@example.com",["member"],"active","en","UTC",1,null,"0",null,0]', id="text instant"
        ),
        pytest.param(
            b'["Ann","ann","ann@example.com",["member"],"active","en","UTC",1,null,1e400,null,0]', id="huge instant"
        ),
    ],
)
def test_a_value_that_is_not_a_valid_user_record_is_undecodable(record: bytes) -> None:
    codec = UserCacheCodec(ValueCodec())
    with pytest.raises(UndecodableValue):
        codec.decode(ValueCodec().encode(record), tenant_id=uuid4(), user_id=uuid4())


def test_every_shipped_dictionary_loads_under_the_name_of_its_id() -> None:
    for name in (CURRENT, *PREVIOUS):
        assert dictionary_file_name(load_dictionary(name).dict_id()) == name


def test_a_missing_dictionary_file_fails_loudly() -> None:
    with pytest.raises(DictionaryFileError):
        load_dictionary("users-deadbeef.zdict")
