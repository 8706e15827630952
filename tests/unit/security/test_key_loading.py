"""Where the signing keys come from: the configured PEM, checked with a clear message; a configured key ring; or a
development key ring made once, kept private on disk and agreed on by processes that start together."""

from __future__ import annotations

import stat
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from pydantic import SecretStr

from keel.infrastructure.security import KeyRing, SigningKeyError, load_key_ring, parse_private_key
from keel.infrastructure.security.key_ring_directory import LEGACY_DEVELOPMENT_KEY_FILE, LOCK_FILE, MANIFEST_FILE
from keel.settings import Environment, SecuritySettings, SettingsError

type PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey


def pem(
    key: PrivateKey,
    encoding_format: serialization.PrivateFormat = serialization.PrivateFormat.PKCS8,
    encryption: serialization.KeySerializationEncryption | None = None,
) -> str:
    encryption = encryption or serialization.NoEncryption()
    return key.private_bytes(serialization.Encoding.PEM, encoding_format, encryption).decode()


def p256() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize(
    "spelling",
    [
        pytest.param(pem, id="pkcs8"),
        pytest.param(lambda key: pem(key, serialization.PrivateFormat.TraditionalOpenSSL), id="sec1"),
        pytest.param(lambda key: pem(key).replace("\n", "\\n"), id="one-line-escaped"),
        pytest.param(lambda key: f"\n  {pem(key)}  \n", id="surrounding-whitespace"),
    ],
)
def test_a_configured_p256_key_is_used_in_any_usual_spelling(
    spelling: Callable[[ec.EllipticCurvePrivateKey], str], tmp_path: Path
) -> None:
    key = p256()
    settings = SecuritySettings(jwt_private_key=SecretStr(spelling(key)), keys_dir=tmp_path / "keys")
    ring = load_key_ring(settings, Environment.PRODUCTION)
    assert ring.signing.private_key.private_numbers() == key.private_numbers()
    assert list(ring.verifying) == [ring.signing.kid]
    assert ring.directory is None
    assert not ring.reload()  # a configured key is fixed for the life of the process
    assert not (tmp_path / "keys").exists()  # nothing generated when a key is configured


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        pytest.param(pem(rsa.generate_private_key(65537, 2048)), "EC P-256 private key is required (this key is RSA)"),
        pytest.param(
            pem(ed25519.Ed25519PrivateKey.generate()), "EC P-256 private key is required (this key is Ed25519)"
        ),
        pytest.param(pem(ec.generate_private_key(ec.SECP384R1())), "(this key is on the secp384r1 curve)"),
        pytest.param(
            pem(p256(), encryption=serialization.BestAvailableEncryption(b"passphrase")), "without a passphrase"
        ),
        pytest.param("-----BEGIN PRIVATE KEY-----...", "not a PEM private key"),
        pytest.param("key", "not a PEM private key"),
    ],
    ids=["rsa", "ed25519", "p384", "encrypted", "truncated", "not-pem"],
)
def test_an_unusable_configured_key_is_refused_with_a_message_naming_the_variable(text: str, problem: str) -> None:
    with pytest.raises(SigningKeyError) as caught:
        parse_private_key(text)
    message = str(caught.value)
    assert isinstance(caught.value, SettingsError)  # entry points print it like any settings error
    assert message.startswith("invalid settings:\n  KEEL_SECURITY__JWT_PRIVATE_KEY: ")
    assert problem in message
    assert "MII" not in message  # no key material echoed


def test_production_without_a_configured_key_or_ring_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SigningKeyError, match="KEEL_SECURITY__JWT_PRIVATE_KEY: a signing key is required") as caught:
        load_key_ring(SecuritySettings(keys_dir=tmp_path / "keys"), Environment.PRODUCTION)
    assert "KEEL_SECURITY__KEY_RING_DIR" in str(caught.value)
    assert not (tmp_path / "keys").exists()


def test_a_configured_key_ring_that_does_not_exist_is_refused_and_not_made(tmp_path: Path) -> None:
    ring_dir = tmp_path / "ring"
    with pytest.raises(SigningKeyError) as caught:
        load_key_ring(SecuritySettings(key_ring_dir=ring_dir), Environment.PRODUCTION)
    assert str(caught.value).startswith("invalid settings:\n  KEEL_SECURITY__KEY_RING_DIR: ")
    assert "no key ring here" in str(caught.value)
    assert not ring_dir.exists()


def private_files(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir() if path.name != LOCK_FILE)


@pytest.mark.parametrize("environment", [Environment.DEVELOPMENT, Environment.TEST])
def test_without_a_configured_key_a_private_development_ring_is_made_once(
    tmp_path: Path, environment: Environment
) -> None:
    settings = SecuritySettings(keys_dir=tmp_path / ".keel" / "keys")
    first = load_key_ring(settings, environment)
    key_file = settings.keys_dir / f"{first.signing.kid}.pem"
    assert mode(settings.keys_dir) == 0o700
    assert mode(key_file) == 0o600
    assert mode(settings.keys_dir / MANIFEST_FILE) == 0o600
    assert key_file.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    again = load_key_ring(settings, environment)  # a restart
    assert again.signing.kid == first.signing.kid
    assert private_files(settings.keys_dir) == sorted([MANIFEST_FILE, key_file.name])  # no temporary files left


def test_processes_starting_together_agree_on_one_development_key(tmp_path: Path) -> None:
    settings = SecuritySettings(keys_dir=tmp_path / "keys")
    starters = 8
    barrier = threading.Barrier(starters)
    loaded: list[KeyRing] = []

    def start() -> None:
        barrier.wait()
        loaded.append(load_key_ring(settings, Environment.DEVELOPMENT))

    threads = [threading.Thread(target=start) for _ in range(starters)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(loaded) == starters
    assert len({ring.signing.kid for ring in loaded}) == 1
    assert len(private_files(settings.keys_dir)) == 2  # the manifest and one key


def test_a_development_key_from_before_key_rings_is_adopted(tmp_path: Path) -> None:
    keys_dir = tmp_path / "keys"
    keys_dir.mkdir(mode=0o700)
    key = p256()
    (keys_dir / LEGACY_DEVELOPMENT_KEY_FILE).write_text(pem(key))
    ring = load_key_ring(SecuritySettings(keys_dir=keys_dir), Environment.DEVELOPMENT)
    assert ring.signing.private_key.private_numbers() == key.private_numbers()
    assert private_files(keys_dir) == sorted([LEGACY_DEVELOPMENT_KEY_FILE, MANIFEST_FILE])


def test_a_corrupt_development_key_names_the_file_and_the_variable(tmp_path: Path) -> None:
    settings = SecuritySettings(keys_dir=tmp_path / "keys")
    ring = load_key_ring(settings, Environment.DEVELOPMENT)
    key_file = settings.keys_dir / f"{ring.signing.kid}.pem"
    key_file.write_text("not a key")
    with pytest.raises(SigningKeyError) as caught:
        load_key_ring(settings, Environment.DEVELOPMENT)
    message = str(caught.value)
    assert message.startswith("invalid settings:\n  KEEL_SECURITY__KEYS_DIR: ")
    assert str(key_file) in message
    assert "not a PEM private key" in message
