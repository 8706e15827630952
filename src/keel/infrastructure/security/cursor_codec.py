"""Opaque, tamper-evident page cursors: ``base64url(tag ‖ version ‖ json)``, unpadded.

The JSON is compact: ``{"s": sort, "k": [key values], "i": id}``, where a datetime key value is ``{"t": ISO 8601}``
(in UTC: a cursor keeps the instant, not the offset it was written with) and strings and integers are themselves.
``tag`` is HMAC-SHA256 over ``version ‖ json`` truncated to 16 bytes. The cursor is signed, not encrypted: a client can
read the sort key values of the last item it was shown, nothing more.

The HMAC key is derived with HKDF-SHA256 from the access-token signing key, so there is no extra secret to configure
and every instance sharing the signing key accepts every other's cursors. ``KeyRingCursorCodec`` follows a key ring:
it signs with the current signing key and still accepts cursors signed with a key the ring keeps verifying after a
rotation; once that key retires, its cursors are refused (``invalid_cursor``) and the client starts again from the
first page.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any, Final
from uuid import UUID

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from keel.application.pagination import Cursor, CursorValue, InvalidCursor
from keel.infrastructure.security.signing_keys import KeySource, SigningKey

_VERSION: Final = b"\x01"
_TAG_BYTES: Final = 16
_SECRET_BYTES: Final = 32
_HKDF_INFO: Final = b"keel/cursor-codec/v1"
_SCALAR_BYTES: Final = 32


def derive_cursor_secret(key: SigningKey) -> bytes:
    """A 32-byte HMAC key for cursors, derived from (and independent in use of) the P-256 signing key."""
    scalar = key.private_key.private_numbers().private_value.to_bytes(_SCALAR_BYTES, "big")
    return HKDF(algorithm=hashes.SHA256(), length=_SECRET_BYTES, salt=None, info=_HKDF_INFO).derive(scalar)


class SignedCursorCodec:
    """Implements ``CursorCodec``."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < _SECRET_BYTES:
            raise ValueError(f"a cursor secret has at least {_SECRET_BYTES} bytes")
        self._secret = secret

    @classmethod
    def from_signing_key(cls, key: SigningKey) -> SignedCursorCodec:
        return cls(derive_cursor_secret(key))

    def encode(self, cursor: Cursor) -> str:
        document = {"s": cursor.sort, "k": [_encode_value(value) for value in cursor.key], "i": cursor.id.hex}
        message = _VERSION + json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode(
            "utf-8", "surrogatepass"
        )
        return _b64encode(self._tag(message) + message)

    def decode(self, token: str) -> Cursor:
        raw = _b64decode(token)
        tag, message = raw[:_TAG_BYTES], raw[_TAG_BYTES:]
        if not message or not hmac.compare_digest(tag, self._tag(message)) or message[:1] != _VERSION:
            raise InvalidCursor
        try:
            document = json.loads(message[1:].decode("utf-8", "surrogatepass"))
            return _cursor(document)
        except (ValueError, TypeError, KeyError):
            raise InvalidCursor from None

    def _tag(self, message: bytes) -> bytes:
        return hmac.new(self._secret, message, hashlib.sha256).digest()[:_TAG_BYTES]


class KeyRingCursorCodec:
    """Implements ``CursorCodec`` over a ``KeySource``: signs with the signing key's secret; accepts its cursors and
    those of the keys signing before a rotation (``previous``) while the ring holds them."""

    def __init__(self, keys: KeySource) -> None:
        self._keys = keys
        self._codecs: dict[str, SignedCursorCodec] = {}

    def encode(self, cursor: Cursor) -> str:
        return self._codec(self._keys.signing).encode(cursor)

    def decode(self, token: str) -> Cursor:
        signing, previous = self._keys.signing, self._keys.previous
        try:
            return self._codec(signing).decode(token)
        except InvalidCursor:
            for key in previous:
                try:
                    return self._codec(key).decode(token)
                except InvalidCursor:
                    continue
            raise

    def _codec(self, key: SigningKey) -> SignedCursorCodec:
        codec = self._codecs.get(key.kid)
        if codec is None:
            known = {self._keys.signing.kid, *(previous.kid for previous in self._keys.previous)}
            self._codecs = {kid: kept for kid, kept in self._codecs.items() if kid in known}  # forget retired keys
            codec = self._codecs[key.kid] = SignedCursorCodec.from_signing_key(key)
        return codec


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(token: str) -> bytes:
    """The bytes ``token`` spells; ``InvalidCursor`` unless it is exactly what ``_b64encode`` would write for them."""
    if not token.isascii():
        raise InvalidCursor
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raise InvalidCursor from None
    # The decoder skips stray characters and ignores unused low bits: only the canonical spelling is accepted, so that
    # no two strings name the same cursor and any changed character is noticed.
    if _b64encode(raw) != token:
        raise InvalidCursor
    return raw


def _encode_value(value: CursorValue) -> object:
    if isinstance(value, datetime):
        if value.utcoffset() is None:
            raise ValueError("cursor datetimes must be timezone-aware")
        return {"t": value.astimezone(UTC).isoformat()}
    if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise TypeError(f"a cursor key value is a str, an int or an aware datetime, not {type(value).__name__}")


def _decode_value(value: Any) -> CursorValue:
    if isinstance(value, dict) and value.keys() == {"t"} and isinstance(value["t"], str):
        moment = datetime.fromisoformat(value["t"])
        if moment.utcoffset() is None:
            raise ValueError("naive datetime")
        return moment
    if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise TypeError("not a cursor key value")


def _cursor(document: Any) -> Cursor:
    if not isinstance(document, dict) or document.keys() != {"s", "k", "i"}:
        raise TypeError("not a cursor document")
    sort, key, id_ = document["s"], document["k"], document["i"]
    if not isinstance(sort, str) or not isinstance(key, list) or not isinstance(id_, str):
        raise TypeError("not a cursor document")
    return Cursor(sort=sort, key=tuple(_decode_value(value) for value in key), id=UUID(hex=id_))
