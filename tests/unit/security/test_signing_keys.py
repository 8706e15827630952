"""Signing keys: named by their RFC 7638 thumbprint, P-256 only, gathered in an immutable verifying set."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

from keel.infrastructure.security import SigningKey, SigningKeys, VerifyingKeySet, jwk_thumbprint
from keel.infrastructure.security.signing_keys import public_jwk

# RFC 7517, appendix A.1/A.2: the example P-256 key; its RFC 7638 thumbprint as other JOSE libraries compute it.
RFC_X = "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4"
RFC_Y = "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM"
RFC_D = "870MB6gfuTJ4HtUnUvYMyJpr5eUZNP4Bk43bVdj3eAE"
RFC_THUMBPRINT = "cn-I_WNMClehiVp51i_0VpOENW1upEerA8sEam5hn-s"


def b64url_int(value: str) -> int:
    return int.from_bytes(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)), "big")


def test_the_kid_is_the_rfc_7638_thumbprint_of_the_rfc_7517_example_key() -> None:
    private_key = ec.derive_private_key(b64url_int(RFC_D), ec.SECP256R1())
    assert jwk_thumbprint(private_key.public_key()) == RFC_THUMBPRINT
    assert SigningKey(private_key).kid == RFC_THUMBPRINT
    jwk = public_jwk(private_key.public_key())
    assert (jwk["x"], jwk["y"]) == (RFC_X, RFC_Y)


def test_the_thumbprint_agrees_with_an_independent_jwk_encoding() -> None:
    # Many keys, so that some have coordinates with leading zero bytes (which must be kept: 32 bytes each).
    for _ in range(64):
        public_key = ec.generate_private_key(ec.SECP256R1()).public_key()
        jwk = ECAlgorithm.to_jwk(public_key, as_dict=True)
        required = {name: jwk[name] for name in ("crv", "kty", "x", "y")}
        canonical = json.dumps(required, sort_keys=True, separators=(",", ":")).encode()
        expected = base64.urlsafe_b64encode(hashlib.sha256(canonical).digest()).rstrip(b"=").decode()
        assert jwk_thumbprint(public_key) == expected


@pytest.mark.parametrize("curve", [ec.SECP384R1(), ec.SECP256K1()], ids=["P-384", "secp256k1"])
def test_only_p256_keys_sign_or_verify(curve: ec.EllipticCurve) -> None:
    other = ec.generate_private_key(curve)
    with pytest.raises(ValueError, match="P-256"):
        SigningKey(other)
    with pytest.raises(ValueError, match="P-256"):
        VerifyingKeySet([other.public_key()])


def test_the_verifying_set_finds_keys_by_kid_and_includes_the_signing_key() -> None:
    retired = ec.generate_private_key(ec.SECP256R1()).public_key()
    keys = SigningKeys.of(ec.generate_private_key(ec.SECP256R1()), retired=[retired])
    assert set(keys.verifying) == {keys.signing.kid, jwk_thumbprint(retired)}
    assert keys.verifying[jwk_thumbprint(retired)] is retired
    assert keys.verifying.get("unknown") is None
    assert repr(keys.signing) == f"SigningKey(kid={keys.signing.kid!r})"  # the private key stays out of reprs


def test_a_verifying_set_is_never_empty() -> None:
    with pytest.raises(ValueError, match="at least one"):
        VerifyingKeySet([])
