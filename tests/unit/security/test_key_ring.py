"""A running process follows its key ring: after a rotation it signs with the new key and still verifies the old
one's tokens; once the old key retires, its tokens fail — remembered ones included — and it leaves the JWKS."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from security_support import SESSION

from fakes.clock import FakeClock
from keel.application.pagination import Cursor, InvalidCursor
from keel.domain.ids import uuid7
from keel.domain.users import User
from keel.infrastructure.security import (
    InvalidAccessToken,
    JwtAccessTokenIssuer,
    JwtAccessTokenVerifier,
    KeyRing,
    KeyRingCursorCodec,
    KeyRingDirectory,
    KeyRingError,
    PublicKeySet,
    VerifiedTokens,
    key_ring_reloading,
)
from support.polling import eventually

MARGIN = timedelta(seconds=940)


class WallClock:
    """The time the ring decides retirements with; moved by the test."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def wall() -> WallClock:
    return WallClock()


@pytest.fixture
def directory(tmp_path: Path, wall: WallClock) -> KeyRingDirectory:
    directory = KeyRingDirectory(tmp_path / "ring", retire_margin=MARGIN)
    directory.rotate(wall())
    return directory


@pytest.fixture
def key_ring(directory: KeyRingDirectory, wall: WallClock) -> KeyRing:
    return KeyRing.from_directory(directory, clock=wall)


def issuer_and_verifier(ring: KeyRing, clock: FakeClock) -> tuple[JwtAccessTokenIssuer, JwtAccessTokenVerifier]:
    issuer = JwtAccessTokenIssuer(ring, issuer="keel", audience="api", ttl_seconds=900, clock=clock)
    verifier = JwtAccessTokenVerifier(
        ring, issuer="keel", audience="api", leeway_seconds=10, verified=VerifiedTokens(100)
    )
    return issuer, verifier


async def test_after_a_rotation_new_tokens_use_the_new_key_and_old_ones_still_verify(
    key_ring: KeyRing, directory: KeyRingDirectory, wall: WallClock, clock: FakeClock, user: User
) -> None:
    issuer, verifier = issuer_and_verifier(key_ring, clock)
    old_kid = key_ring.signing.kid
    old_token = (await issuer.issue(user, session_id=SESSION)).access_token
    verifier.verify(old_token)
    assert not key_ring.reload(), "nothing changed yet"
    rotation = directory.rotate(wall())
    assert key_ring.reload()
    new_token = (await issuer.issue(user, session_id=SESSION)).access_token
    assert key_ring.signing.kid == rotation.added.kid != old_kid
    assert verifier.verify(new_token).user_id == user.id
    assert verifier.verify(old_token).user_id == user.id
    hits = verifier.verified.hits
    verifier.verify(old_token)
    assert verifier.verified.hits == hits + 1, "the old key is the same object after the reload: still remembered"
    assert [key["kid"] for key in PublicKeySet(key_ring).jwks()["keys"]] == [rotation.added.kid, old_kid]


async def test_once_the_old_key_retires_its_tokens_fail_even_when_remembered(
    key_ring: KeyRing, directory: KeyRingDirectory, wall: WallClock, clock: FakeClock, user: User
) -> None:
    issuer, verifier = issuer_and_verifier(key_ring, clock)
    published = PublicKeySet(key_ring)
    old_token = (await issuer.issue(user, session_id=SESSION)).access_token
    verifier.verify(old_token)
    rotation = directory.rotate(wall())
    key_ring.reload()
    assert rotation.demoted is not None
    assert rotation.demoted.retire_after is not None
    wall.now = rotation.demoted.retire_after  # no file changed: the time alone retires the key
    assert key_ring.reload()
    with pytest.raises(InvalidAccessToken) as caught:
        verifier.verify(old_token)
    assert caught.value.reason == "unknown_kid"
    assert [key["kid"] for key in published.jwks()["keys"]] == [rotation.added.kid]


def test_a_ring_that_cannot_be_read_keeps_the_keys_in_effect(key_ring: KeyRing, directory: KeyRingDirectory) -> None:
    before = key_ring.current
    directory.manifest_path.write_text("{broken")
    with pytest.raises(KeyRingError):
        key_ring.reload()
    assert key_ring.current is before


def test_cursors_signed_before_a_rotation_are_accepted_until_their_key_retires(
    key_ring: KeyRing, directory: KeyRingDirectory, wall: WallClock
) -> None:
    codec = KeyRingCursorCodec(key_ring)
    cursor = Cursor(sort="created_at", key=(wall(),), id=uuid7())
    before = codec.encode(cursor)
    rotation = directory.rotate(wall())
    key_ring.reload()
    after = codec.encode(cursor)
    assert after != before
    assert codec.decode(before) == cursor == codec.decode(after)
    assert rotation.demoted is not None
    assert rotation.demoted.retire_after is not None
    wall.now = rotation.demoted.retire_after
    key_ring.reload()
    with pytest.raises(InvalidCursor):
        codec.decode(before)
    assert codec.decode(after) == cursor


async def test_the_reloading_resource_follows_a_rotation_while_it_runs(
    key_ring: KeyRing, directory: KeyRingDirectory, wall: WallClock
) -> None:
    resource = key_ring_reloading(key_ring, 0.01)
    assert await anext(resource) is key_ring
    rotated_to = directory.rotate(wall()).added.kid
    await eventually(lambda: key_ring.signing.kid == rotated_to)
    directory.manifest_path.write_text("{broken")
    await eventually(lambda: key_ring.reload_failures > 0)
    assert key_ring.signing.kid == rotated_to, "a bad edit leaves the keys in effect"
    with pytest.raises(StopAsyncIteration):
        await anext(resource)  # shuts the reloading down
