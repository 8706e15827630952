"""The keys that sign and verify access tokens: one signing key, and the set of public keys that verify.

Each key is named by its RFC 7638 JWK thumbprint, which tokens carry in their ``kid`` header; a verifier picks the key
by that name. The set holds the signing key's public half and those of the keys that signed before a rotation, until
their tokens have expired (see ``key_ring_manifest``).

``SigningKeys`` is one immutable snapshot; a ``KeySource`` (``SigningKeys`` itself, or the live ``KeyRing``) is what
the issuer, the verifier, the JWKS and the cursor codec read each time they need a key. Where the keys come from is
``key_ring``'s business.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Protocol

from cryptography.hazmat.primitives.asymmetric import ec

ALGORITHM = "ES256"
_CURVE = "P-256"
_COORDINATE_BYTES = 32


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _coordinates(public_key: ec.EllipticCurvePublicKey) -> dict[str, str]:
    numbers = public_key.public_numbers()
    return {
        "crv": _CURVE,
        "kty": "EC",
        "x": _b64url(numbers.x.to_bytes(_COORDINATE_BYTES, "big")),
        "y": _b64url(numbers.y.to_bytes(_COORDINATE_BYTES, "big")),
    }


def jwk_thumbprint(public_key: ec.EllipticCurvePublicKey) -> str:
    """RFC 7638: SHA-256 of the required members (crv, kty, x, y) in lexicographic order, no whitespace; base64url."""
    canonical = json.dumps(_coordinates(public_key), separators=(",", ":"), sort_keys=True)
    return _b64url(hashlib.sha256(canonical.encode("ascii")).digest())


def public_jwk(public_key: ec.EllipticCurvePublicKey) -> dict[str, str]:
    """The public key as a JWK (RFC 7517/7518) for verifying ES256 signatures, named by its thumbprint."""
    return {**_coordinates(public_key), "kid": jwk_thumbprint(public_key), "use": "sig", "alg": ALGORITHM}


def _is_p256(key: object) -> bool:
    return isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey) and isinstance(
        key.curve, ec.SECP256R1
    )


@dataclass(frozen=True, slots=True)
class SigningKey:
    """A P-256 private key and its ``kid``."""

    private_key: ec.EllipticCurvePrivateKey = field(repr=False)
    kid: str = field(init=False)

    def __post_init__(self) -> None:
        if not _is_p256(self.private_key):
            raise ValueError("an ES256 signing key is an EC key on the P-256 curve")
        object.__setattr__(self, "kid", jwk_thumbprint(self.private_key.public_key()))

    @property
    def public_key(self) -> ec.EllipticCurvePublicKey:
        return self.private_key.public_key()


class VerifyingKeySet(Mapping[str, ec.EllipticCurvePublicKey]):
    """The public keys that verify access tokens, by ``kid`` (their thumbprint). Immutable."""

    def __init__(self, public_keys: Iterable[ec.EllipticCurvePublicKey]) -> None:
        keys: dict[str, ec.EllipticCurvePublicKey] = {}
        for public_key in public_keys:
            if not _is_p256(public_key):
                raise ValueError("an ES256 verifying key is an EC key on the P-256 curve")
            keys[jwk_thumbprint(public_key)] = public_key
        if not keys:
            raise ValueError("a key set holds at least one key")
        self._keys = MappingProxyType(keys)

    def __getitem__(self, kid: str) -> ec.EllipticCurvePublicKey:
        return self._keys[kid]

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:
        return f"VerifyingKeySet(kids={list(self._keys)!r})"


@dataclass(frozen=True, slots=True)
class SigningKeys:
    """The key that signs new tokens and the set that verifies presented ones (which includes the signing key)."""

    signing: SigningKey
    verifying: VerifyingKeySet
    previous: tuple[SigningKey, ...] = ()
    """The private halves of the verifying keys other than the signing key, where known (a key ring): what signed
    before the last rotation may still be checked, e.g. page cursors made with it."""

    @classmethod
    def of(
        cls, private_key: ec.EllipticCurvePrivateKey, retired: Iterable[ec.EllipticCurvePublicKey] = ()
    ) -> SigningKeys:
        """Sign with ``private_key``; verify with its public half and the ``retired`` public keys."""
        signing = SigningKey(private_key)
        return cls(signing=signing, verifying=VerifyingKeySet([signing.public_key, *retired]))


class KeySource(Protocol):
    """Where the keys in effect are read, each time one is needed."""

    @property
    def signing(self) -> SigningKey: ...

    @property
    def verifying(self) -> VerifyingKeySet: ...

    @property
    def previous(self) -> tuple[SigningKey, ...]: ...
