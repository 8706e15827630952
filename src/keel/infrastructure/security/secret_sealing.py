"""API client secrets sealed at rest with AES-256-GCM (``cryptography``), for the ``SecretSealer`` port.

A sealed secret is ``version ‖ nonce ‖ ciphertext ‖ tag``: one version byte (``0x01``), a random 96-bit nonce, then
AES-GCM's output. The associated data is ``b"keel/api-client-secret/v1:" + client id``: a sealed secret moved onto
another client's row, or any altered byte, fails to open. Random 96-bit nonces are safe for far more than the 2**32
seals NIST allows one key; secrets are sealed once per creation or rotation.
"""

from __future__ import annotations

import os
from typing import Final
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from keel.application.api_clients import UnreadableSecret

_VERSION: Final = b"\x01"
_NONCE_BYTES: Final = 12
_KEY_BYTES: Final = 32
_CONTEXT: Final = b"keel/api-client-secret/v1:"


class AesGcmSecretSealer:
    """Implements ``SecretSealer``."""

    def __init__(self, key: bytes) -> None:
        if len(key) != _KEY_BYTES:
            raise ValueError(f"an AES-256-GCM key has {_KEY_BYTES} bytes")
        self._aead = AESGCM(key)

    def seal(self, secret: bytes, *, client_id: UUID) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        return _VERSION + nonce + self._aead.encrypt(nonce, secret, _CONTEXT + client_id.bytes)

    def open(self, sealed: bytes, *, client_id: UUID) -> bytes:
        if sealed[:1] != _VERSION or len(sealed) < 1 + _NONCE_BYTES + 16:
            raise UnreadableSecret("not a sealed secret of a known version")
        nonce, ciphertext = sealed[1 : 1 + _NONCE_BYTES], sealed[1 + _NONCE_BYTES :]
        try:
            return self._aead.decrypt(nonce, ciphertext, _CONTEXT + client_id.bytes)
        except InvalidTag:
            raise UnreadableSecret("the sealed secret does not open with this key for this client") from None
