"""The security sections: tokens, keys and passwords (``KEEL_SECURITY__*``) and rate limits (``KEEL_RATE_LIMIT__*``)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Self

from pydantic import (
    Field,
    SecretStr,
    field_validator,
    model_validator,
)

from keel.settings._common import (
    CsvList,
    RateSpec,
    _Section,
    decode_client_secret_key,
    parse_rate,
)


class SecuritySettings(_Section):
    jwt_private_key: SecretStr | None = Field(
        default=None,
        description="PEM EC P-256 private key signing access tokens (`\\n` escapes accepted): one fixed key, "
        "rotated only by a restart. Production needs it or `key_ring_dir`; elsewhere, with neither, a development "
        "key ring is made in `keys_dir`.",
    )
    key_ring_dir: Path | None = Field(
        default=None,
        description="Directory of a key ring (`keyring.json` and one PEM file per key; see "
        "docs/how-to/rotate-keys.md) to sign and verify access tokens with, in any environment. Exclusive with "
        "`jwt_private_key`.",
    )
    key_ring_reload_seconds: float = Field(
        default=30.0,
        gt=0,
        le=3600,
        description="How often a running process re-reads the key ring to follow a rotation or a retirement.",
    )
    jwt_issuer: str = Field(default="keel", min_length=1, description="`iss` claim of issued tokens.")
    jwt_audience: str = Field(default="keel-api", min_length=1, description="`aud` claim of issued tokens.")
    access_token_ttl_seconds: int = Field(default=900, ge=60, le=86_400, description="Access token lifetime.")
    jwt_leeway_seconds: int = Field(
        default=10, ge=0, le=300, description="Clock skew tolerated when checking `exp`, `nbf` and `iat`."
    )
    verified_token_cache_size: int = Field(
        default=10_000,
        ge=0,
        le=1_000_000,
        description="Access tokens remembered as verified until they expire (per process; 0 = check every time).",
    )
    keys_dir: Path = Field(
        default=Path(".keel/keys"),
        description="Outside production, without `jwt_private_key` or `key_ring_dir`: the development key ring, "
        "made on first use.",
    )
    refresh_token_ttl_seconds: int = Field(
        default=2_592_000,
        ge=3600,
        le=31_536_000,
        description="Refresh token lifetime (30 days): a session ends when it goes unused that long.",
    )
    password_reset_ttl_seconds: int = Field(
        default=1800, ge=300, le=86_400, description="Lifetime of a password-reset token (30 minutes)."
    )
    email_verification_ttl_seconds: int = Field(
        default=1800, ge=300, le=604_800, description="Lifetime of an email-verification token (30 minutes)."
    )
    argon2_time_cost: int = Field(default=3, ge=1, le=20, description="Argon2id passes over memory per hash.")
    argon2_memory_cost_kib: int = Field(
        default=65_536, ge=8, le=4_194_304, description="Argon2id memory per hash, in KiB (65536 = 64 MiB)."
    )
    argon2_parallelism: int = Field(default=4, ge=1, le=64, description="Argon2id lanes (threads) per hash.")
    client_secret_key: SecretStr | None = Field(
        default=None,
        description="Key encrypting API client secrets at rest (AES-256-GCM): 32 random bytes, base64 "
        "(`openssl rand -base64 32`). Required in production; elsewhere, if unset, one is generated once in "
        "`keys_dir`.",
    )
    partner_max_skew_seconds: int = Field(
        default=300,
        ge=30,
        le=900,
        description="How far the `x-keel-date` of a signed partner request may be from the server's clock; "
        "each nonce is remembered for twice as long.",
    )
    api_client_rollover_seconds: int = Field(
        default=86_400,
        ge=0,
        le=2_592_000,
        description="How long the previous secret of an API client stays valid after a rotation, unless the "
        "rotation asks otherwise (at most 30 days).",
    )

    @field_validator("client_secret_key")
    @classmethod
    def _client_secret_key_decodes(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            decode_client_secret_key(value.get_secret_value())
        return value

    @model_validator(mode="after")
    def _one_key_source(self) -> Self:
        if self.jwt_private_key is not None and self.key_ring_dir is not None:
            raise ValueError(
                "KEEL_SECURITY__JWT_PRIVATE_KEY and KEEL_SECURITY__KEY_RING_DIR are exclusive: configure one key or "
                "a key ring"
            )
        return self

    @model_validator(mode="after")
    def _argon2_memory_covers_lanes(self) -> Self:
        if self.argon2_memory_cost_kib < 8 * self.argon2_parallelism:
            raise ValueError(
                "KEEL_SECURITY__ARGON2_MEMORY_COST_KIB must be at least 8 KiB per lane "
                "(8 × KEEL_SECURITY__ARGON2_PARALLELISM)"
            )
        return self


class RateLimitClass(StrEnum):
    """The route classes that share a quota. Each route is tagged with one."""

    LOGIN = "login"
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a route class, not a secret
    SIGNUP = "signup"
    WRITE = "write"
    READ = "read"
    PARTNER = "partner"


class RateLimitSettings(_Section):
    """Quotas per route class, as ``<count>/<period>`` (``10/1m``, ``5/15m``, ``100/s``), or ``0`` for no limit.

    Each caller has its own quota per class: a user (authenticated routes), an API client (partner routes), or an
    IP address (public routes; log-in and password reset also count per account).
    """

    enabled: bool = Field(
        default=True,
        description="Apply the quotas below (off: no route is limited). Each is `<count>/<period>` (`10/1m`, `5/15m`, "
        "`100/s`; units s, m, h, d) or `0` for a class without limit.",
    )
    login: RateSpec = Field(
        default="10/1m", description="Log-in and token refresh, per IP address and per account (tenant and email)."
    )
    password_reset: RateSpec = Field(
        default="5/15m",
        description="Password reset requests and confirmations and email verification, per IP address (requests "
        "also per account).",
    )
    signup: RateSpec = Field(default="5/1h", description="Tenant sign-ups, per IP address.")
    write: RateSpec = Field(default="120/1m", description="Writes of signed-in users (POST, PATCH, DELETE), per user.")
    read: RateSpec = Field(
        default="1200/1m", description="Reads: per user when signed in, per IP address otherwise (`/api/v1/meta`)."
    )
    partner: RateSpec = Field(default="600/1m", description="Signed partner requests, per API client.")
    fail_closed: CsvList = Field(
        default_factory=lambda: [
            RateLimitClass.LOGIN.value,
            RateLimitClass.PASSWORD_RESET.value,
            RateLimitClass.SIGNUP.value,
        ],
        description="Classes refused (503) while Redis cannot count requests; the others are let through.",
    )

    @field_validator("fail_closed")
    @classmethod
    def _known_classes(cls, value: list[str]) -> list[str]:
        known = {item.value for item in RateLimitClass}
        unknown = [name for name in value if name not in known]
        if unknown:
            raise ValueError(f"unknown route classes {unknown}; known: {', '.join(sorted(known))}")
        return value

    def rate_of(self, route_class: RateLimitClass) -> tuple[int, int] | None:
        """``(count, period_seconds)`` of the class, or ``None`` when it is not limited."""
        if not self.enabled:
            return None
        spec: str = getattr(self, route_class.value)
        return parse_rate(spec)
