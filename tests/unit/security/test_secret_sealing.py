"""API client secrets at rest: AES-256-GCM bound to the client, and the key that seals them — configured, generated
for development, refused when missing in production."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest
from pydantic import SecretStr

from keel.application.api_clients import UnreadableSecret
from keel.domain.ids import uuid7
from keel.infrastructure.security import AesGcmSecretSealer, SigningKeyError, load_client_secret_key
from keel.settings import Environment, SecuritySettings

SECRET = b"keel_sk_a-secret-worth-keeping"


def test_a_sealed_secret_opens_for_its_client_only() -> None:
    sealer, client, other = AesGcmSecretSealer(os.urandom(32)), uuid7(), uuid7()
    sealed = sealer.seal(SECRET, client_id=client)
    assert SECRET not in sealed
    assert sealer.open(sealed, client_id=client) == SECRET
    with pytest.raises(UnreadableSecret):
        sealer.open(sealed, client_id=other)


def test_sealing_twice_gives_two_ciphertexts() -> None:
    sealer, client = AesGcmSecretSealer(os.urandom(32)), uuid7()
    assert sealer.seal(SECRET, client_id=client) != sealer.seal(SECRET, client_id=client)


@pytest.mark.parametrize("position", [0, 5, 20, -1])
def test_an_altered_byte_does_not_open(position: int) -> None:
    sealer, client = AesGcmSecretSealer(os.urandom(32)), uuid7()
    sealed = bytearray(sealer.seal(SECRET, client_id=client))
    sealed[position] ^= 0x01
    with pytest.raises(UnreadableSecret):
        sealer.open(bytes(sealed), client_id=client)


def test_another_key_does_not_open() -> None:
    client = uuid7()
    sealed = AesGcmSecretSealer(os.urandom(32)).seal(SECRET, client_id=client)
    with pytest.raises(UnreadableSecret):
        AesGcmSecretSealer(os.urandom(32)).open(sealed, client_id=client)


def test_a_key_has_32_bytes() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        AesGcmSecretSealer(os.urandom(16))


def test_the_configured_key_is_used_in_any_encoding_of_base64() -> None:
    key = os.urandom(32)
    for encoded in (base64.b64encode(key), base64.urlsafe_b64encode(key).rstrip(b"=")):
        settings = SecuritySettings(client_secret_key=SecretStr(encoded.decode()))
        assert load_client_secret_key(settings, Environment.PRODUCTION) == key


def test_a_development_key_is_generated_once_and_kept_private(tmp_path: Path) -> None:
    settings = SecuritySettings(keys_dir=tmp_path / "keys")
    first = load_client_secret_key(settings, Environment.DEVELOPMENT)
    again = load_client_secret_key(settings, Environment.DEVELOPMENT)
    assert first == again
    assert len(first) == 32
    key_file = tmp_path / "keys" / "client-secret-key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "keys").stat().st_mode & 0o777 == 0o700


def test_production_without_a_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SigningKeyError) as refused:
        load_client_secret_key(SecuritySettings(keys_dir=tmp_path), Environment.PRODUCTION)
    assert "KEEL_SECURITY__CLIENT_SECRET_KEY" in str(refused.value)
    assert not list(tmp_path.iterdir())  # nothing generated behind the operator's back


def test_a_damaged_development_key_names_its_file(tmp_path: Path) -> None:
    (tmp_path / "client-secret-key").write_text("not base64 at all!\n")
    with pytest.raises(SigningKeyError, match="client-secret-key"):
        load_client_secret_key(SecuritySettings(keys_dir=tmp_path), Environment.DEVELOPMENT)


@pytest.mark.parametrize("encoded", ["", "c2hvcnQ=", "not base64!", base64.b64encode(bytes(range(33))).decode()])
def test_a_malformed_configured_key_is_a_settings_error(encoded: str) -> None:
    with pytest.raises(ValueError, match="client secret key"):
        SecuritySettings(client_secret_key=SecretStr(encoded))
