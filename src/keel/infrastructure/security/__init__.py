"""Security adapters: argon2id password hashing, ES256 access tokens and the key ring that signs them, the JWKS, the
access-token denylist, signed page cursors, and the sealing of API client secrets."""

from keel.infrastructure.security.access_tokens import InvalidAccessToken, JwtAccessTokenIssuer, JwtAccessTokenVerifier
from keel.infrastructure.security.cursor_codec import KeyRingCursorCodec, SignedCursorCodec, derive_cursor_secret
from keel.infrastructure.security.denied_tokens import DeniedAccessTokens
from keel.infrastructure.security.jwks import PublicKeySet
from keel.infrastructure.security.key_loading import SigningKeyError, load_client_secret_key, parse_private_key
from keel.infrastructure.security.key_ring import (
    KeyRing,
    key_ring_directory,
    key_ring_reloading,
    load_key_ring,
    retire_margin,
)
from keel.infrastructure.security.key_ring_directory import KeyRingDirectory, Rotation
from keel.infrastructure.security.key_ring_manifest import KeyEntry, KeyRingError, KeyRingManifest, KeyState
from keel.infrastructure.security.passwords import Argon2PasswordHasher
from keel.infrastructure.security.redis_denylist import (
    DenylistStats,
    RedisAccessTokenDenylist,
    denylist_subscription,
)
from keel.infrastructure.security.secret_sealing import AesGcmSecretSealer
from keel.infrastructure.security.signing_keys import (
    KeySource,
    SigningKey,
    SigningKeys,
    VerifyingKeySet,
    jwk_thumbprint,
)
from keel.infrastructure.security.verified_tokens import VerifiedToken, VerifiedTokens

__all__ = [
    "AesGcmSecretSealer",
    "Argon2PasswordHasher",
    "DeniedAccessTokens",
    "DenylistStats",
    "InvalidAccessToken",
    "JwtAccessTokenIssuer",
    "JwtAccessTokenVerifier",
    "KeyEntry",
    "KeyRing",
    "KeyRingCursorCodec",
    "KeyRingDirectory",
    "KeyRingError",
    "KeyRingManifest",
    "KeySource",
    "KeyState",
    "PublicKeySet",
    "RedisAccessTokenDenylist",
    "Rotation",
    "SignedCursorCodec",
    "SigningKey",
    "SigningKeyError",
    "SigningKeys",
    "VerifiedToken",
    "VerifiedTokens",
    "VerifyingKeySet",
    "denylist_subscription",
    "derive_cursor_secret",
    "jwk_thumbprint",
    "key_ring_directory",
    "key_ring_reloading",
    "load_client_secret_key",
    "load_key_ring",
    "parse_private_key",
    "retire_margin",
]
