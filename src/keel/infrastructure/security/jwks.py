"""The JSON Web Key Set (RFC 7517) of the keys that verify access tokens, for ``/.well-known/jwks.json``.

Clients and other services fetch it to verify tokens themselves; each key is named by the ``kid`` tokens carry.
"""

from __future__ import annotations

from keel.infrastructure.security.signing_keys import VerifyingKeySet, public_jwk


class PublicKeySet:
    """Implements ``PublishedKeys``. The keys never change while the process runs, so the document is built once."""

    def __init__(self, keys: VerifyingKeySet) -> None:
        self._keys = tuple(public_jwk(key) for key in keys.values())

    def jwks(self) -> dict[str, object]:
        return {"keys": [dict(key) for key in self._keys]}  # a fresh copy: no caller can alter what the next one gets
