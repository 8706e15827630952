"""Reading keys: a configured signing key (an unencrypted PEM EC P-256 private key, checked with a message that names
the variable to fix — where signing keys come from, the configured PEM or a key ring, is ``key_ring``'s business), and
the key sealing API client secrets (32 bytes, base64): the configured one or — outside production — a development key
kept on disk.

A development key is generated once, the first time a process needs it, and kept in ``keys_dir`` (directory 0700,
file 0600). It is written to a temporary file and then hard-linked into place: the link fails if the file already
exists, so when two processes start together exactly one key wins and both read that one back.
"""

from __future__ import annotations

import base64
import contextlib
import os
import secrets
import tempfile
from pathlib import Path

import structlog
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from keel.settings import Environment, SecuritySettings, SettingsError, decode_client_secret_key

logger = structlog.get_logger(__name__)

DEVELOPMENT_CLIENT_SECRET_KEY_FILE = "client-secret-key"  # noqa: S105 - a file name
CLIENT_SECRET_KEY_VARIABLE = "KEEL_SECURITY__CLIENT_SECRET_KEY"  # noqa: S105 - a variable name
_PRIVATE_DIRECTORY = 0o700
_OTHERS_MAY_ACCESS = 0o077


class SigningKeyError(SettingsError):
    """A key (the signing key, or the one sealing client secrets) is missing or unusable. ``str(error)`` names the
    variable to fix, like other settings errors."""

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


def load_client_secret_key(settings: SecuritySettings, environment: Environment) -> bytes:
    """The configured key sealing API client secrets; outside production, without one, the development key kept in
    ``settings.keys_dir`` (generated the first time). Production without a configured key is refused."""
    if settings.client_secret_key is not None:
        return decode_client_secret_key(settings.client_secret_key.get_secret_value())
    if environment is Environment.PRODUCTION:
        raise SigningKeyError("a key is required in production", variable=CLIENT_SECRET_KEY_VARIABLE)
    path = settings.keys_dir / DEVELOPMENT_CLIENT_SECRET_KEY_FILE
    if not path.exists():
        encoded = base64.b64encode(secrets.token_bytes(32)) + b"\n"
        _create_key_file(path, encoded)
    if path.stat().st_mode & _OTHERS_MAY_ACCESS:
        logger.warning("security.development_key.permissive_mode", path=str(path), expected="0600")
    try:
        return decode_client_secret_key(path.read_text(encoding="ascii"))
    except (ValueError, UnicodeDecodeError) as error:
        raise SigningKeyError(
            f"{path} holds no usable key ({error}); delete it to generate a new one (API client secrets sealed "
            "with it will not open any more)",
            variable="KEEL_SECURITY__KEYS_DIR",
        ) from None


def _create_key_file(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` unless a file is there already."""
    _make_private_directory(path.parent)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(temporary, path)  # never replaces: a key another process stored first wins
        except FileExistsError:
            return
        logger.info("security.development_key.created", path=str(path))
    finally:
        os.unlink(temporary)


def _make_private_directory(directory: Path) -> None:
    directory.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        directory.mkdir(mode=_PRIVATE_DIRECTORY)
        directory.chmod(_PRIVATE_DIRECTORY)  # mkdir's mode is narrowed by the umask, never widened; make it exact
