"""Reading a configured signing key: an unencrypted PEM EC P-256 private key, checked with a message that names the
variable to fix. Where the keys come from (the configured PEM or a key ring) is ``key_ring``'s business."""

from __future__ import annotations

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from keel.settings import SettingsError


class SigningKeyError(SettingsError):
    """The signing key is missing or unusable. ``str(error)`` names the variable to fix, like other settings errors."""

    def __init__(self, problem: str, *, variable: str = "KEEL_SECURITY__JWT_PRIVATE_KEY") -> None:
        super().__init__(f"invalid settings:\n  {variable}: {problem}")
        self.problem = problem
        self.variable = variable


def parse_private_key(pem: str) -> ec.EllipticCurvePrivateKey:
    """The EC P-256 private key in ``pem`` (PKCS#8 or SEC 1, unencrypted); ``SigningKeyError`` says what is wrong.

    A PEM squeezed onto one line with literal ``\\n`` escapes (common in environment variables) is accepted.
    """
    text = pem.strip()
    if "\n" not in text and "\\n" in text:
        text = text.replace("\\n", "\n")
    try:
        key = serialization.load_pem_private_key(text.encode("utf-8"), password=None)
    except TypeError:
        raise SigningKeyError("the private key is encrypted; configure it without a passphrase") from None
    except (ValueError, UnsupportedAlgorithm):
        raise SigningKeyError("not a PEM private key (expected '-----BEGIN PRIVATE KEY-----' ...)") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        kind = type(key).__name__.lstrip("_").removesuffix("PrivateKey") or "unknown"
        raise SigningKeyError(f"an EC P-256 private key is required (this key is {kind})")
    if not isinstance(key.curve, ec.SECP256R1):
        raise SigningKeyError(f"an EC P-256 private key is required (this key is on the {key.curve.name} curve)")
    return key
