"""ES256 access tokens (JWT, RFC 7519): issued at log-in and refresh, verified on every authenticated request.

A token carries ``iss``, ``aud``, ``sub`` (the user id), ``tid`` (the tenant id), ``roles`` (sorted), ``iat``, ``nbf``,
``exp``, a random ``jti``, ``sid`` (the session: its refresh-token family) and ``typ = "access"``; its header names
the signing key (``kid``, the key's JWK thumbprint).

Verification trusts nothing in the token before the signature is checked: the algorithm is fixed (``ES256`` only, so
``alg: none`` and HMAC-with-the-public-key forgeries fail), the key is chosen by ``kid`` among the verifying keys in
effect (a retired key's tokens fail), every claim is required, and ``typ`` must be ``access`` so that another kind of
token is never accepted in its place (refresh tokens are not JWTs at all). After the signature and claims — or the
memo of tokens that passed them — the ``jti`` is looked up in this process's copy of the denylist (logout). Every
failure is the same ``InvalidAccessToken`` to the client; the reason is kept in its log context only.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Final
from uuid import UUID

import jwt
from cryptography.hazmat.primitives.asymmetric import ec

from keel.application.errors import AuthenticationRequired
from keel.application.ports import AccessTokenClaims, AccessTokenDenylist, Clock, IssuedToken
from keel.application.users import Actor
from keel.domain.users import InvalidRoles, User, role_set
from keel.infrastructure.security.denied_tokens import DeniedAccessTokens
from keel.infrastructure.security.signing_keys import ALGORITHM, KeySource
from keel.infrastructure.security.verified_tokens import VerifiedToken, VerifiedTokens

TOKEN_TYPE: Final = "access"  # noqa: S105 - the `typ` claim's value, not a secret
REQUIRED_CLAIMS: Final = ("iss", "aud", "sub", "tid", "roles", "iat", "nbf", "exp", "jti", "sid", "typ")
_ALGORITHMS: Final = [ALGORITHM]
_MAX_TOKEN_ID_LENGTH: Final = 128
_REASONS: Final[tuple[tuple[type[jwt.PyJWTError], str], ...]] = (
    (jwt.ExpiredSignatureError, "expired"),
    (jwt.ImmatureSignatureError, "not_yet_valid"),
    (jwt.InvalidAudienceError, "wrong_audience"),
    (jwt.InvalidIssuerError, "wrong_issuer"),
    (jwt.InvalidAlgorithmError, "algorithm_not_allowed"),
    (jwt.InvalidSignatureError, "bad_signature"),
)


class InvalidAccessToken(AuthenticationRequired):
    """The access token was refused. ``detail`` is the same whatever the reason; ``log_context`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__("The access token is missing, invalid or expired.")
        self.reason = reason

    @property
    def log_context(self) -> Mapping[str, object]:
        return {"reason": self.reason}


class JwtAccessTokenIssuer:
    """Implements ``TokenIssuer``: signs with the signing key in effect."""

    def __init__(self, keys: KeySource, *, issuer: str, audience: str, ttl_seconds: int, clock: Clock) -> None:
        self._keys = keys
        self._issuer = issuer
        self._audience = audience
        self._ttl_seconds = ttl_seconds
        self._clock = clock

    async def issue(self, user: User, *, session_id: UUID) -> IssuedToken:
        # ECDSA signing takes tens of microseconds: no need to leave the event loop.
        now = int(self._clock.now().timestamp())
        claims: dict[str, Any] = {
            "iss": self._issuer,
            "aud": self._audience,
            "sub": str(user.id),
            "tid": str(user.tenant_id),
            "roles": sorted(role.value for role in user.roles),
            "iat": now,
            "nbf": now,
            "exp": now + self._ttl_seconds,
            "jti": uuid.uuid4().hex,
            "sid": str(session_id),
            "typ": TOKEN_TYPE,
        }
        key = self._keys.signing
        token = jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid})
        return IssuedToken(access_token=token, expires_in=self._ttl_seconds)


class JwtAccessTokenVerifier:
    """Implements ``AccessTokenVerifier``: checks signature, claims, type and the denylist; raises
    ``InvalidAccessToken``.

    Tokens that passed are remembered in ``verified`` (see ``VerifiedTokens``) until they expire, so a client's
    repeated requests pay for the signature check once per token, not once per request. ``denied`` is this process's
    copy of the denylist, checked on every request. ``wall_clock`` is the time the ``exp``/``nbf`` checks use,
    PyJWT's own (system time) by default.
    """

    def __init__(
        self,
        keys: KeySource,
        *,
        issuer: str,
        audience: str,
        leeway_seconds: int,
        verified: VerifiedTokens | None = None,
        denied: AccessTokenDenylist | None = None,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._keys = keys
        self._issuer = issuer
        self._audience = audience
        self._leeway_seconds = leeway_seconds
        self._verified = verified if verified is not None else VerifiedTokens(0)
        self._denied: AccessTokenDenylist = denied if denied is not None else DeniedAccessTokens(wall_clock)
        self._wall_clock = wall_clock

    @property
    def verified(self) -> VerifiedTokens:
        return self._verified

    def verify(self, token: str) -> Actor:
        return self._checked(token).actor

    def claims(self, token: str) -> AccessTokenClaims:
        entry = self._checked(token)
        return AccessTokenClaims(
            actor=entry.actor,
            token_id=entry.token_id,
            session_id=entry.session_id,
            valid_until=datetime.fromtimestamp(entry.expires, UTC),
        )

    def _checked(self, token: str) -> VerifiedToken:
        keys = self._keys.verifying
        entry = self._verified.get(token, now=self._wall_clock(), keys=keys)
        if entry is None:
            entry = self._verify(token, keys)
        if self._denied.is_denied(entry.token_id):
            raise InvalidAccessToken("denied")
        return entry

    def _verify(self, token: str, keys: Mapping[str, ec.EllipticCurvePublicKey]) -> VerifiedToken:
        kid, key = self._key_of(token, keys)
        claims = self._verified_claims(token, key)
        if claims["typ"] != TOKEN_TYPE:
            raise InvalidAccessToken("wrong_token_type")
        leeway = self._leeway_seconds
        entry = VerifiedToken(
            actor=_actor(claims),
            key=key,
            kid=kid,
            token_id=_token_id(claims["jti"]),
            session_id=_uuid(claims["sid"]),
            not_before=float(claims["nbf"]) - leeway,
            expires=float(claims["exp"]) + leeway,
        )
        self._verified.put(token, entry)
        return entry

    def _key_of(
        self, token: str, keys: Mapping[str, ec.EllipticCurvePublicKey]
    ) -> tuple[str, ec.EllipticCurvePublicKey]:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError:
            raise InvalidAccessToken("malformed") from None
        key = keys.get(kid) if isinstance(kid, str) else None
        if key is None or not isinstance(kid, str):
            raise InvalidAccessToken("unknown_kid")
        return kid, key

    def _verified_claims(self, token: str, key: ec.EllipticCurvePublicKey) -> dict[str, Any]:
        try:
            return jwt.decode(
                token,
                key,
                algorithms=_ALGORITHMS,
                audience=self._audience,
                issuer=self._issuer,
                leeway=self._leeway_seconds,
                options={"require": list(REQUIRED_CLAIMS)},
            )
        except jwt.PyJWTError as error:
            raise InvalidAccessToken(_reason(error)) from None


def _reason(error: jwt.PyJWTError) -> str:
    if isinstance(error, jwt.MissingRequiredClaimError):
        return f"missing_claim:{error.claim}"
    return next((reason for kind, reason in _REASONS if isinstance(error, kind)), "malformed")


def _actor(claims: Mapping[str, Any]) -> Actor:
    roles = claims["roles"]
    if not isinstance(roles, list) or not all(isinstance(role, str) for role in roles):
        raise InvalidAccessToken("malformed_claims")
    try:
        return Actor(user_id=_uuid(claims["sub"]), tenant_id=_uuid(claims["tid"]), roles=role_set(roles))
    except InvalidRoles:
        raise InvalidAccessToken("malformed_claims") from None


def _token_id(value: object) -> str:
    if not isinstance(value, str) or not 0 < len(value) <= _MAX_TOKEN_ID_LENGTH:
        raise InvalidAccessToken("malformed_claims")
    return value


def _uuid(value: object) -> UUID:
    if not isinstance(value, str):
        raise InvalidAccessToken("malformed_claims")
    try:
        return UUID(value)
    except ValueError:
        raise InvalidAccessToken("malformed_claims") from None
