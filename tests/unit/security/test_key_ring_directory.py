"""A key ring on disk: rotations keep the old key verifying for the margin, files stay private, retired keys' files
go, concurrent writers take turns, and a reader never sees a manifest naming a file that is not there yet."""

from __future__ import annotations

import json
import stat
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from keel.infrastructure.security import KeyRingDirectory, KeyRingError, KeyState, SigningKey
from keel.infrastructure.security.key_ring_directory import LOCK_FILE, MANIFEST_FILE

NOW = datetime(2026, 11, 22, 10, 0, 0, 250_000, tzinfo=UTC)
MARGIN = timedelta(seconds=940)


def ring(tmp_path: Path) -> KeyRingDirectory:
    return KeyRingDirectory(tmp_path / "ring", retire_margin=MARGIN)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def pem_of(key: ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def test_the_first_rotation_creates_the_ring_with_a_private_key_and_manifest(tmp_path: Path) -> None:
    directory = ring(tmp_path)
    rotation = directory.rotate(NOW)
    assert rotation.demoted is None
    assert mode(directory.path) == 0o700
    assert mode(directory.path / f"{rotation.added.kid}.pem") == 0o600
    assert mode(directory.manifest_path) == 0o600
    keys = directory.load(directory.read_manifest(), now=NOW)
    assert keys.signing.kid == rotation.added.kid
    assert list(keys.verifying) == [rotation.added.kid]


def test_a_rotation_signs_with_the_new_key_and_verifies_with_both_until_the_margin_has_passed(tmp_path: Path) -> None:
    directory = ring(tmp_path)
    first = directory.rotate(NOW).added
    rotation = directory.rotate(NOW)
    assert rotation.demoted is not None
    assert rotation.demoted.kid == first.kid
    assert rotation.demoted.retire_after == datetime(2026, 11, 22, 10, 15, 41, tzinfo=UTC)  # rounded up: never early
    manifest = directory.read_manifest()
    keys = directory.load(manifest, now=NOW)
    assert keys.signing.kid == rotation.added.kid
    assert list(keys.verifying) == [rotation.added.kid, first.kid]
    assert [key.kid for key in keys.previous] == [first.kid]
    later = directory.load(manifest, now=rotation.demoted.retire_after)
    assert list(later.verifying) == [rotation.added.kid]
    assert later.previous == ()


def test_a_rotation_can_add_key_material_made_elsewhere(tmp_path: Path) -> None:
    directory = ring(tmp_path)
    directory.rotate(NOW)
    key = ec.generate_private_key(ec.SECP256R1())
    rotation = directory.rotate(NOW, pem_of(key))
    assert rotation.added.kid == SigningKey(key).kid
    with pytest.raises(KeyRingError, match=r"the given key: .*EC P-256"):
        directory.rotate(NOW, pem_of(ec.generate_private_key(ec.SECP384R1())))
    assert directory.read_manifest().signing.kid == rotation.added.kid, "a refused key changes nothing"


def test_a_rotation_retires_keys_past_their_time_and_deletes_their_files(tmp_path: Path) -> None:
    directory = ring(tmp_path)
    first = directory.rotate(NOW).added
    directory.rotate(NOW)
    rotation = directory.rotate(NOW + MARGIN + timedelta(seconds=1))
    assert [entry.kid for entry in rotation.retired] == [first.kid]
    assert not (directory.path / f"{first.kid}.pem").exists()
    states = {entry.kid: entry.state for entry in directory.read_manifest().keys}
    assert list(states.values()) == [KeyState.RETIRED, KeyState.VERIFYING, KeyState.SIGNING]


def test_prune_retires_only_the_keys_that_are_due(tmp_path: Path) -> None:
    directory = ring(tmp_path)
    first = directory.rotate(NOW).added
    second = directory.rotate(NOW).added
    directory.rotate(NOW + timedelta(seconds=10))
    assert directory.prune(NOW) == ()
    retired = directory.prune(NOW + MARGIN + timedelta(seconds=2))
    assert [entry.kid for entry in retired] == [first.kid]
    assert sorted(path.name for path in directory.path.glob("*.pem")) == sorted(
        f"{entry.kid}.pem" for entry in directory.read_manifest().keys if entry.state is not KeyState.RETIRED
    )
    assert second.kid in {entry.kid for entry in directory.read_manifest().keys if entry.state is KeyState.VERIFYING}


def test_a_key_file_that_holds_another_key_than_the_manifest_names_is_refused(tmp_path: Path) -> None:
    directory = ring(tmp_path)
    added = directory.rotate(NOW).added
    (directory.path / f"{added.kid}.pem").write_text(pem_of(ec.generate_private_key(ec.SECP256R1())))
    with pytest.raises(KeyRingError, match=f"but the manifest names it {added.kid}"):
        directory.load(directory.read_manifest(), now=NOW)


def test_a_verifying_key_whose_file_is_gone_verifies_nothing_and_the_rest_loads(tmp_path: Path) -> None:
    directory = ring(tmp_path)
    first = directory.rotate(NOW).added
    second = directory.rotate(NOW).added
    (directory.path / f"{first.kid}.pem").unlink()
    keys = directory.load(directory.read_manifest(), now=NOW)
    assert list(keys.verifying) == [second.kid]
    (directory.path / f"{second.kid}.pem").unlink()
    with pytest.raises(KeyRingError, match="No such file"):
        directory.load(directory.read_manifest(), now=NOW)


def test_concurrent_rotations_take_turns_and_lose_no_key(tmp_path: Path) -> None:
    directory = ring(tmp_path)
    directory.rotate(NOW)
    writers = 6
    barrier = threading.Barrier(writers)
    added: list[str] = []

    def rotate() -> None:
        barrier.wait()
        added.append(directory.rotate(NOW).added.kid)

    threads = [threading.Thread(target=rotate) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    manifest = directory.read_manifest()
    assert {entry.kid for entry in manifest.keys} >= set(added)
    assert len(manifest.keys) == writers + 1
    assert [entry.state for entry in manifest.keys].count(KeyState.SIGNING) == 1
    assert sorted(path.name for path in directory.path.iterdir() if path.name.endswith(".tmp")) == []
    assert {path.name for path in directory.path.iterdir()} == {
        MANIFEST_FILE,
        LOCK_FILE,
        *(f"{entry.kid}.pem" for entry in manifest.keys),
    }


def test_a_missing_ring_is_named(tmp_path: Path) -> None:
    directory = ring(tmp_path)
    with pytest.raises(KeyRingError, match="no key ring here"):
        directory.read_manifest()
    with pytest.raises(KeyRingError, match="no such directory"):
        directory.prune(NOW)
    directory.rotate(NOW)
    assert json.loads(directory.manifest_path.read_text())["format"] == 1


def test_a_compromised_key_can_be_retired_at_once(tmp_path: Path) -> None:
    directory = ring(tmp_path)
    compromised = directory.rotate(NOW).added
    rotation = directory.rotate(NOW, retire_now=True)
    assert rotation.demoted is not None
    assert (rotation.demoted.kid, rotation.demoted.state) == (compromised.kid, KeyState.RETIRED)
    assert rotation.retired == ()
    assert not (directory.path / f"{compromised.kid}.pem").exists()
    keys = directory.load(directory.read_manifest(), now=NOW)
    assert list(keys.verifying) == [rotation.added.kid]
