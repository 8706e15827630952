"""The JSON Web Key Set (RFC 7517) of the keys that verify access tokens, for ``/.well-known/jwks.json``.

Clients and other services fetch it to verify tokens themselves; each key is named by the ``kid`` tokens carry. It
lists exactly the verifying keys in effect: after a rotation, the new signing key and the former one until it
retires. The document is rebuilt only when the key set changes.
"""

from __future__ import annotations

from keel.infrastructure.security.signing_keys import KeySource, VerifyingKeySet, public_jwk


class PublicKeySet:
    """Implements ``PublishedKeys``."""

    def __init__(self, keys: KeySource) -> None:
        self._keys = keys
        self._built_for: VerifyingKeySet | None = None
        self._document: tuple[dict[str, str], ...] = ()

    def jwks(self) -> dict[str, object]:
        verifying = self._keys.verifying
        if verifying is not self._built_for:
            self._document = tuple(public_jwk(key) for key in verifying.values())
            self._built_for = verifying
        return {
            "keys": [dict(key) for key in self._document]
        }  # a fresh copy: no caller can alter what the next one gets
