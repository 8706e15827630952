"""The key ring manifest: one signing key, verifying keys with a retire time, retired keys kept as a record — read,
checked and written back unchanged; rotation and pruning move keys through those states."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from keel.infrastructure.security import KeyEntry, KeyRingError, KeyRingManifest, KeyState, jwk_thumbprint

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def kid() -> str:
    return jwk_thumbprint(ec.generate_private_key(ec.SECP256R1()).public_key())


def signing(key_id: str | None = None) -> KeyEntry:
    key_id = key_id or kid()
    return KeyEntry(kid=key_id, state=KeyState.SIGNING, created_at=NOW, file=f"{key_id}.pem")


def test_a_manifest_survives_writing_and_reading_back() -> None:
    old = signing()
    manifest = KeyRingManifest((old,)).rotated(kid(), "new.pem", now=NOW, retire_after=NOW + timedelta(minutes=16))
    manifest, _ = manifest.rotated(kid(), "newer.pem", now=NOW, retire_after=NOW + timedelta(minutes=17)).pruned(
        NOW + timedelta(minutes=16)
    )
    text = manifest.dumps()
    assert KeyRingManifest.loads(text, source="keyring.json") == manifest
    document = json.loads(text)
    assert document["format"] == 1
    assert [entry["state"] for entry in document["keys"]] == ["retired", "verifying", "signing"]
    assert document["keys"][0] == {
        "kid": old.kid,
        "state": "retired",
        "created_at": "2026-11-22T10:00:00Z",
        "retired_at": "2026-11-22T10:16:00Z",
    }


def test_a_rotation_demotes_the_signing_key_to_verifying_until_its_retire_time() -> None:
    old = signing()
    new_kid = kid()
    rotated = KeyRingManifest((old,)).rotated(new_kid, "n.pem", now=NOW, retire_after=NOW + timedelta(minutes=16))
    assert rotated.signing.kid == new_kid
    [demoted] = [entry for entry in rotated.keys if entry.kid == old.kid]
    assert (demoted.state, demoted.retire_after, demoted.file) == (
        KeyState.VERIFYING,
        NOW + timedelta(minutes=16),
        old.file,
    )
    assert [entry.kid for entry in rotated.active_at(NOW)] == [new_kid, old.kid]
    assert [entry.kid for entry in rotated.active_at(NOW + timedelta(minutes=16))] == [new_kid]
    assert demoted.state_at(NOW + timedelta(minutes=16)) is KeyState.RETIRED
    with pytest.raises(KeyRingError, match="already in the ring"):
        rotated.rotated(old.kid, "again.pem", now=NOW, retire_after=NOW)


def test_pruning_retires_exactly_the_keys_past_their_retire_time() -> None:
    first, second = signing(), kid()
    manifest = KeyRingManifest((first,)).rotated(second, "s.pem", now=NOW, retire_after=NOW + timedelta(minutes=10))
    manifest = manifest.rotated(kid(), "t.pem", now=NOW, retire_after=NOW + timedelta(minutes=20))
    pruned, retired = manifest.pruned(NOW + timedelta(minutes=15))
    assert [entry.kid for entry in retired] == [first.kid]
    assert {entry.kid: entry.state for entry in pruned.keys}[first.kid] is KeyState.RETIRED
    assert {entry.kid: entry.state for entry in pruned.keys}[second] is KeyState.VERIFYING
    assert next(entry for entry in pruned.keys if entry.kid == first.kid).file is None
    assert pruned.pruned(NOW + timedelta(minutes=15))[1] == ()


def document(*keys: dict[str, object], format_: object = 1) -> str:
    return json.dumps({"format": format_, "keys": list(keys)})


GOOD = {"kid": "A" * 43, "state": "signing", "file": "a.pem", "created_at": "2026-11-22T10:00:00Z"}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("{not json", "not JSON"),
        (document(GOOD, format_=2), '"format": 1'),
        (json.dumps({"format": 1, "keys": []}), "non-empty list"),
        (
            document({**GOOD, "state": "verifying", "retire_after": "2026-11-22T10:00:00Z"}),
            "exactly one key must be signing, found 0",
        ),
        (document(GOOD, {**GOOD, "kid": "B" * 43}), "exactly one key must be signing, found 2"),
        (document(GOOD, {**GOOD, "state": "retired", "retired_at": "2026-11-22T10:00:00Z"}), "duplicate kid"),
        (document({**GOOD, "kid": "short"}), "is not a JWK thumbprint"),
        (document({**GOOD, "file": "../../etc/passwd.pem"}), "a .pem file name in the ring"),
        (document({**GOOD, "file": None}), 'needs "file"'),
        (document(GOOD, {**GOOD, "kid": "B" * 43, "state": "verifying"}), 'needs "retire_after"'),
        (document({**GOOD, "state": "active"}), "state must be one of signing, verifying, retired"),
        (document({**GOOD, "created_at": "2026-11-22 10:00"}), "ISO 8601 time with an offset"),
        (document({**GOOD, "created_at": None}), "created_at is required"),
        (document("not an object"), "is not an object"),  # type: ignore[arg-type]
    ],
)
def test_an_inconsistent_manifest_is_refused_with_what_and_where(text: str, problem: str) -> None:
    with pytest.raises(KeyRingError) as caught:
        KeyRingManifest.loads(text, source="/ring/keyring.json")
    assert str(caught.value).startswith("/ring/keyring.json: ")
    assert problem in str(caught.value)
