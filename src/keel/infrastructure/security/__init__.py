"""Security adapters: argon2id password hashing, ES256 access tokens and their keys, the JWKS, signed page cursors,
and the sealing of API client secrets."""

from keel.infrastructure.security.access_tokens import InvalidAccessToken, JwtAccessTokenIssuer, JwtAccessTokenVerifier
from keel.infrastructure.security.cursor_codec import SignedCursorCodec, derive_cursor_secret
from keel.infrastructure.security.jwks import PublicKeySet
from keel.infrastructure.security.key_loading import (
    SigningKeyError,
    load_client_secret_key,
    load_signing_keys,
    parse_private_key,
)
from keel.infrastructure.security.passwords import Argon2PasswordHasher
from keel.infrastructure.security.secret_sealing import AesGcmSecretSealer
from keel.infrastructure.security.signing_keys import SigningKey, SigningKeys, VerifyingKeySet, jwk_thumbprint
from keel.infrastructure.security.verified_tokens import VerifiedToken, VerifiedTokens

__all__ = [
    "AesGcmSecretSealer",
    "Argon2PasswordHasher",
    "InvalidAccessToken",
    "JwtAccessTokenIssuer",
    "JwtAccessTokenVerifier",
    "PublicKeySet",
    "SignedCursorCodec",
    "SigningKey",
    "SigningKeyError",
    "SigningKeys",
    "VerifiedToken",
    "VerifiedTokens",
    "VerifyingKeySet",
    "derive_cursor_secret",
    "jwk_thumbprint",
    "load_client_secret_key",
    "load_signing_keys",
    "parse_private_key",
]
