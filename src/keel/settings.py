"""Runtime settings, read from the environment (prefix ``KEEL_``, nested delimiter ``__``) and an optional ``.env``.

Nothing here is read at import time: call :func:`load_settings` from an entry point. Each concern has its own model so
that a component receives only the section it needs.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from datetime import UTC, datetime
from email.utils import parseaddr
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal, Self
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class CacheMode(StrEnum):
    REDIS = "redis"
    OFF = "off"


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


CsvList = Annotated[list[str], NoDecode, BeforeValidator(_split_csv)]

CLIENT_SECRET_KEY_BYTES = 32
_RATE = re.compile(r"^(?P<count>\d{1,7})/(?P<amount>\d{0,6})(?P<unit>[smhd])$")
_SECONDS_PER_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86_400}
_HOST_PATTERN = re.compile(r"^(?:\*\.)?[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$|^\[[0-9A-Fa-f:.]+\]$")


MAX_RATE_PER_SECOND = 1_000_000


def parse_rate(spec: str) -> tuple[int, int] | None:
    """``"10/1m"`` -> ``(10, 60)``: a count per period in seconds; ``"0"`` -> ``None``, no limit.

    The period is a number (1 if left out) and a unit: ``s``, ``m``, ``h`` or ``d``: ``100/s``, ``5/15m``, ``1000/1d``.
    """
    text = spec.strip()
    if text == "0":
        return None
    match = _RATE.fullmatch(text)
    if match is None:
        raise ValueError(f"expected a rate such as '10/1m' (a count per period: s, m, h or d) or 0, not {spec!r}")
    count = int(match["count"])
    seconds = int(match["amount"] or "1") * _SECONDS_PER_UNIT[match["unit"]]
    if count < 1 or not 1 <= seconds <= 86_400:
        raise ValueError(f"a rate allows at least 1 request in a period of 1 s to 1 d, not {spec!r}")
    if count > seconds * MAX_RATE_PER_SECOND:  # the limiter counts in microseconds: one request per µs at most
        raise ValueError(f"a rate allows at most {MAX_RATE_PER_SECOND} requests per second, not {spec!r}")
    return count, seconds


def _valid_rate(spec: str) -> str:
    parse_rate(spec)
    return spec.strip()


RateSpec = Annotated[str, AfterValidator(_valid_rate)]


def decode_client_secret_key(encoded: str) -> bytes:
    """The 32-byte key in ``encoded`` (base64, standard or URL-safe, padding optional); ``ValueError`` otherwise."""
    text = encoded.strip()
    try:
        key = base64.urlsafe_b64decode(text.replace("+", "-").replace("/", "_") + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise ValueError("the client secret key is not base64") from None
    if len(key) != CLIENT_SECRET_KEY_BYTES:
        raise ValueError(f"the client secret key must be {CLIENT_SECRET_KEY_BYTES} bytes, not {len(key)}")
    return key


class _Section(BaseModel):
    model_config = {"extra": "forbid", "frozen": True}


class DatabaseSettings(_Section):
    url: str = Field(
        default="postgresql+asyncpg://postgres@127.0.0.1:5432/keel",
        description="SQLAlchemy URL of the PostgreSQL database (driver asyncpg).",
    )
    pool_size: int = Field(default=20, ge=1, le=200, description="Connections kept open in the pool.")
    max_overflow: int = Field(
        default=0,
        ge=0,
        le=200,
        description="Extra connections above pool_size, closed as soon as they are returned (under steady load "
        "they churn: a new PostgreSQL backend each time). Prefer a larger pool_size.",
    )
    pool_timeout_seconds: float = Field(default=5.0, gt=0, description="Wait for a free pooled connection.")
    connect_timeout_seconds: float = Field(default=5.0, gt=0, description="TCP/handshake timeout per connection.")
    statement_timeout_ms: int = Field(default=15_000, ge=0, description="Server-side statement_timeout; 0 = none.")
    echo: bool = Field(default=False, description="Log every SQL statement (development only).")
    pool_pre_ping: bool = Field(
        default=False,
        description="Test each connection on checkout (3 extra round trips with asyncpg). Off: after a server "
        "restart the first use of a stale connection fails and the whole pool is recycled.",
    )
    migrations_dir: Path = Field(default=Path("migrations"), description="Atlas versioned migration directory.")
    dev_url: str | None = Field(
        default=None,
        description="Server for throwaway databases used by `keel db new` and `keel db check` (Atlas's dev URL); "
        "defaults to the server of `url`.",
    )


class CacheSettings(_Section):
    mode: CacheMode = Field(default=CacheMode.REDIS, description="`redis` caches reads in Redis; `off` disables it.")
    url: str = Field(default="redis://127.0.0.1:6379/0", description="Redis URL (redis://, rediss:// or unix://).")
    default_ttl_seconds: int = Field(default=300, ge=1, description="Time to live of cached entries.")
    socket_timeout_seconds: float = Field(default=0.5, gt=0, description="Per-command Redis timeout.")
    key_prefix: str = Field(default="keel", min_length=1, description="Namespace of every cache key.")
    breaker_failure_threshold: int = Field(
        default=5, ge=1, description="Consecutive Redis failures that open the circuit breaker (Redis skipped)."
    )
    breaker_open_seconds: float = Field(
        default=5.0, gt=0, description="How long the open breaker skips Redis before one trial call."
    )
    lease_seconds: float = Field(
        default=2.0, gt=0, description="Life of the lease a reader takes on a miss before filling the cache."
    )
    lease_wait_seconds: float = Field(
        default=0.1, ge=0, description="How long a reader waits for another reader's fill before asking PostgreSQL."
    )
    required_for_readiness: bool = Field(
        default=False,
        description="Whether a dead Redis makes /health/ready fail (503). Off by default: reads fall through to "
        "PostgreSQL, so pulling every instance out of the balancer would turn a cache outage into a full one.",
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


class TemporalSettings(_Section):
    address: str = Field(default="127.0.0.1:7233", description="host:port of the Temporal frontend.")
    namespace: str = Field(default="default", min_length=1, description="Temporal namespace.")
    task_queue: str = Field(default="keel", min_length=1, description="Task queue of the keel worker.")
    email_task_queue: str = Field(
        default="keel-email",
        min_length=1,
        description="Task queue of the email workflows and activities (its own, so a mail backlog or a slow SMTP "
        "server never delays other work).",
    )
    connect_timeout_seconds: float = Field(
        default=5.0, gt=0, description="Timeout of one connection attempt to the Temporal frontend."
    )
    required_for_readiness: bool = Field(
        default=False,
        description="Whether an unreachable Temporal makes /health/ready fail (503). Off by default: the API only "
        "writes the outbox, which the worker's relay dispatches once Temporal is back.",
    )
    worker_shutdown_grace_seconds: float = Field(
        default=30.0,
        gt=0,
        description="On SIGTERM, how long the worker lets running activities finish before cancelling them.",
    )
    outbox_batch_size: int = Field(
        default=100, ge=1, le=1000, description="Outbox rows the relay claims and dispatches per transaction."
    )
    outbox_poll_interval_seconds: float = Field(
        default=1.0, gt=0, description="Pause of the relay after a pass that found fewer rows than a batch."
    )
    outbox_backoff_initial_seconds: float = Field(
        default=1.0, gt=0, description="Delay before the second attempt at dispatching a row; doubles each attempt."
    )
    outbox_backoff_max_seconds: float = Field(
        default=300.0, gt=0, description="Longest delay between two attempts at dispatching a row."
    )
    outbox_lag_log_interval_seconds: float = Field(
        default=60.0, gt=0, description="How often the relay logs the outbox lag (pending rows, oldest age)."
    )

    @model_validator(mode="after")
    def _backoff_cap_above_start(self) -> Self:
        if self.outbox_backoff_max_seconds < self.outbox_backoff_initial_seconds:
            raise ValueError("outbox_backoff_max_seconds must be at least outbox_backoff_initial_seconds")
        return self


class EmailSettings(_Section):
    smtp_host: str = Field(default="127.0.0.1", description="SMTP server host.")
    smtp_port: int = Field(default=1025, ge=1, le=65_535, description="SMTP server port.")
    smtp_username: str | None = Field(default=None, description="SMTP login, if the server requires one.")
    smtp_password: SecretStr | None = Field(default=None, description="SMTP password.")
    use_tls: bool = Field(default=False, description="Implicit TLS (SMTPS, usually port 465).")
    start_tls: bool = Field(default=False, description="Upgrade with STARTTLS (usually port 587).")
    from_address: str = Field(
        default="keel <no-reply@keel.localhost>",
        description="From header of sent mail; its domain also ends every Message-ID.",
    )
    public_base_url: str = Field(
        default="http://127.0.0.1:8000", description="Base of links put in emails (http or https, no query)."
    )
    timeout_seconds: float = Field(
        default=15.0,
        gt=0,
        le=300,
        description="Longest one SMTP conversation (connect, TLS, login, send) may take; past it the attempt fails "
        "and is retried.",
    )
    claim_seconds: float = Field(
        default=120.0,
        gt=0,
        description="How long a delivery attempt owns its message: another attempt of the same message waits that "
        "long before sending it again (a crash mid-send is retried after it). Longer than timeout_seconds.",
    )

    @field_validator("from_address")
    @classmethod
    def _address_with_domain(cls, value: str) -> str:
        _, address = parseaddr(value)
        local, at, domain = address.rpartition("@")
        if not (local and at and domain) or any(character in value for character in "\r\n"):
            raise ValueError("expected an address such as 'keel <no-reply@example.com>' or 'no-reply@example.com'")
        return value

    @field_validator("public_base_url")
    @classmethod
    def _http_base_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.hostname or parts.query or parts.fragment:
            raise ValueError("expected an http(s) URL without query or fragment, such as 'https://app.example.com'")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _one_tls_mode(self) -> Self:
        if self.use_tls and self.start_tls:
            raise ValueError("use_tls and start_tls are exclusive: choose one")
        return self

    @model_validator(mode="after")
    def _claim_outlives_timeout(self) -> Self:
        if self.claim_seconds <= self.timeout_seconds:
            raise ValueError("claim_seconds must exceed timeout_seconds: an attempt must not outlive its claim")
        return self


class ApiSettings(_Section):
    host: str = Field(default="127.0.0.1", description="Interface `keel serve` binds to.")
    port: int = Field(default=8000, ge=1, le=65_535, description="Port `keel serve` listens on.")
    cors_origins: CsvList = Field(default_factory=list, description="Allowed CORS origins, comma-separated; `*` = any.")
    cors_allow_credentials: bool = Field(default=False, description="Allow credentials on CORS requests.")
    docs_enabled: bool = Field(default=True, description="Serve /docs, /redoc and the OpenAPI document.")
    root_path: str = Field(default="", description="Path prefix when served behind a proxy.")
    users_batch_max: int = Field(
        default=100, ge=1, le=100, description="Most users one `POST /api/v1/users/batch` may create (at most 100)."
    )
    shutdown_grace_seconds: float = Field(
        default=10.0, gt=0, description="On SIGTERM, how long in-flight requests may take before being cut."
    )
    # --- Lifecycle and API versions (operability) ---
    shutdown_drain_delay_seconds: float = Field(
        default=2.0,
        ge=0,
        description="On SIGTERM, how long readiness answers 503 while still serving, before new connections stop.",
    )
    v1_users_list_sunset: datetime = Field(
        default=datetime(2027, 6, 30, tzinfo=UTC),
        description="When the deprecated `GET /api/v1/users` goes away (ISO 8601 with offset; `Sunset` header).",
    )

    @field_validator("v1_users_list_sunset")
    @classmethod
    def _sunset_is_aware(cls, value: datetime) -> datetime:
        if value.utcoffset() is None:
            raise ValueError("give a time zone offset, e.g. 2027-06-30T00:00:00Z")
        return value

    max_body_bytes: int = Field(
        default=1_048_576,
        ge=1024,
        le=104_857_600,
        description="Largest request body accepted, in bytes, however it is sent (Content-Length or chunked); "
        "larger ones are answered 413.",
    )
    trusted_hosts: CsvList = Field(
        default_factory=list,
        description="Host header values served, comma-separated; `*.example.com` covers subdomains. Empty = any "
        "host. Other hosts are answered 400.",
    )
    trusted_proxies: CsvList = Field(
        default_factory=list,
        description="Addresses or networks (CIDR) of the reverse proxies in front of keel, comma-separated. Only "
        "when the peer is one of them is X-Forwarded-For read: the client is its right-most address that is not a "
        "trusted proxy.",
    )
    hsts_max_age_seconds: int = Field(
        default=31_536_000,
        ge=0,
        le=63_072_000,
        description="max-age of the Strict-Transport-Security header, sent in production only (0 = none).",
    )

    @field_validator("trusted_hosts")
    @classmethod
    def _host_patterns(cls, value: list[str]) -> list[str]:
        for host in value:
            if host != "*" and not _HOST_PATTERN.fullmatch(host):
                raise ValueError(f"expected host names such as 'api.example.com' or '*.example.com', not {host!r}")
        return [host.lower() for host in value]

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_networks(cls, value: list[str]) -> list[str]:
        for network in value:
            try:
                ipaddress.ip_network(network, strict=False)
            except ValueError:
                raise ValueError(f"expected IP addresses or CIDR networks, not {network!r}") from None
        return value


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


class JobsSettings(_Section):
    """Batch jobs: imports, exports, their files, and the maintenance schedule."""

    storage_dir: Path = Field(
        default=Path(".keel/files"), description="Root directory of job files (uploads, results, error reports)."
    )
    import_max_bytes: int = Field(
        default=50 * 1024 * 1024, ge=1, description="Largest CSV file `POST /api/v1/users/imports` accepts, in bytes."
    )
    import_chunk_size: int = Field(
        default=1000,
        ge=1,
        le=5000,
        description="Rows an import creates per chunk (one activity, one transaction). Each chunk costs a few "
        "round trips to Temporal and PostgreSQL whatever its size, so larger chunks import faster; memory grows with "
        "the chunk (see docs/explanation/batch-jobs.md for figures).",
    )
    export_page_size: int = Field(
        default=1000,
        ge=1,
        le=10_000,
        description="Users an export reads per query (memory holds one page; progress and cancellation are checked "
        "between pages).",
    )


class MaintenanceSettings(_Section):
    """The maintenance schedule the worker keeps in Temporal: purge old soft-deleted users, fail stale jobs."""

    enabled: bool = Field(
        default=True,
        description="Whether the maintenance schedule runs. Off: the worker keeps the schedule paused (with its "
        "recent runs) until turned on again; `keel maintenance run` still works.",
    )
    schedule_id: str = Field(
        default="keel-maintenance",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$",
        description="Id of the Temporal Schedule (letters, digits, `.`, `_`, `-`; at most 200 characters).",
    )
    task_queue: str = Field(
        default="keel-maintenance",
        min_length=1,
        description="Task queue of the maintenance workflow and activities (their own: a long purge never delays "
        "imports).",
    )
    interval_minutes: int = Field(
        default=60, ge=1, le=10_080, description="Minutes between two maintenance runs (1 to 10080, a week)."
    )
    user_retention_days: int = Field(
        default=30,
        ge=1,
        le=3_650,
        description="Days a soft-deleted user is kept (and can be restored) before being purged for good (1 to 3650).",
    )
    purge_batch_size: int = Field(
        default=100,
        ge=1,
        le=1_000,
        description="Users purged (and stale jobs failed) per transaction (1 to 1000).",
    )
    stale_job_minutes: int = Field(
        default=60,
        ge=10,
        le=10_080,
        description="A queued or running job without progress for longer than this is failed (10 to 10080 minutes: "
        "above the few minutes an import chunk and its retries may take).",
    )


class ObservabilitySettings(_Section):
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(default="INFO", description="Minimum log level.")
    log_format: Literal["auto", "json", "console"] = Field(
        default="auto", description="`auto`: JSON in production, console otherwise."
    )
    service_name: str = Field(default="keel", min_length=1, description="Service name in logs and telemetry.")
    health_timeout_seconds: float = Field(default=2.0, gt=0, description="Per-check timeout of /health/ready.")
    # --- Tracing, metrics, N+1 detection (docs/explanation/observability.md) ---
    otlp_endpoint: str | None = Field(
        default=None,
        description="Base URL of an OTLP/HTTP collector (e.g. `http://otel-collector:4318`); traces go to "
        "`<endpoint>/v1/traces`. Unset: tracing is off and no instrumentation is installed.",
    )
    trace_sample_ratio: float = Field(
        default=1.0, ge=0, le=1, description="Share of new traces recorded (parent-based: a sampled caller wins)."
    )
    metrics_enabled: bool = Field(default=True, description="Serve Prometheus metrics at /metrics and count requests.")
    metrics_bearer_token: SecretStr | None = Field(
        default=None, description="If set, /metrics (API and worker) answers only `Authorization: Bearer <token>`."
    )
    worker_metrics_host: str = Field(default="127.0.0.1", description="Interface the worker's metrics endpoint binds.")
    worker_metrics_port: int = Field(
        default=9464, ge=0, le=65_535, description="Port of the worker's /metrics endpoint; 0 = not served."
    )
    n_plus_one_threshold: int = Field(
        default=25,
        ge=1,
        description="Outside production, a request issuing more SQL statements than this logs `db.n_plus_one` "
        "(a warning). Never counted in production.",
    )

    @field_validator("otlp_endpoint")
    @classmethod
    def _http_endpoint(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.hostname or parts.query or parts.fragment:
            raise ValueError("expected an http(s) URL of an OTLP/HTTP collector, such as 'http://127.0.0.1:4318'")
        return value.rstrip("/")

    @property
    def tracing_enabled(self) -> bool:
        return self.otlp_endpoint is not None


class DevSettings(_Section):
    state_dir: Path = Field(default=Path(".keel"), description="Data of the local stack (gitignored).")
    postgres_port: int = Field(default=54329, ge=1, le=65_535, description="Port of the embedded PostgreSQL.")
    redis_port: int = Field(default=63799, ge=1, le=65_535, description="Port of the embedded Redis.")
    temporal_port: int = Field(default=7233, ge=1, le=65_535, description="Port of the Temporal dev server.")
    temporal_ui_port: int = Field(default=8233, ge=1, le=65_535, description="Port of the Temporal web UI.")
    smtp_port: int = Field(default=1025, ge=1, le=65_535, description="Port of the SMTP sink.")


class Settings(BaseSettings):
    """Every setting of keel. Environment variables: ``KEEL_<SECTION>__<FIELD>`` (e.g. ``KEEL_DATABASE__URL``)."""

    model_config = SettingsConfigDict(
        env_prefix="KEEL_",
        env_nested_delimiter="__",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="forbid",
        frozen=True,
    )

    environment: Environment = Field(default=Environment.DEVELOPMENT, description="development, test or production.")
    debug: bool = Field(default=False, description="Debug mode: never in production.")
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    cache: CacheSettings = Field(default_factory=CacheSettings)
    security: SecuritySettings = Field(default_factory=SecuritySettings)
    temporal: TemporalSettings = Field(default_factory=TemporalSettings)
    email: EmailSettings = Field(default_factory=EmailSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)
    rate_limit: RateLimitSettings = Field(default_factory=RateLimitSettings)
    jobs: JobsSettings = Field(default_factory=JobsSettings)
    maintenance: MaintenanceSettings = Field(default_factory=MaintenanceSettings)
    observability: ObservabilitySettings = Field(default_factory=ObservabilitySettings)
    dev: DevSettings = Field(default_factory=DevSettings)

    @model_validator(mode="after")
    def _production_is_safe(self) -> Self:
        if self.environment is not Environment.PRODUCTION:
            return self
        problems: list[str] = []
        if self.debug:
            problems.append("KEEL_DEBUG: debug must be off in production")
        if "*" in self.api.cors_origins and self.api.cors_allow_credentials:
            problems.append(
                "KEEL_API__CORS_ORIGINS: a wildcard origin with KEEL_API__CORS_ALLOW_CREDENTIALS=true "
                "lets any site act as the user"
            )
        if self.security.jwt_private_key is None and self.security.key_ring_dir is None:
            problems.append(
                "KEEL_SECURITY__JWT_PRIVATE_KEY: a signing key is required in production (or a key ring: "
                "KEEL_SECURITY__KEY_RING_DIR)"
            )
        if self.security.client_secret_key is None:
            problems.append(
                "KEEL_SECURITY__CLIENT_SECRET_KEY: a key encrypting API client secrets is required in production"
            )
        if self.database.echo:
            problems.append("KEEL_DATABASE__ECHO: SQL echo would log data in production")
        if problems:
            raise ValueError("insecure production settings: " + "; ".join(problems))
        return self

    @property
    def is_production(self) -> bool:
        return self.environment is Environment.PRODUCTION


class SettingsError(Exception):
    """Settings could not be loaded; ``str(error)`` is a readable message naming each bad variable."""


def _variable_name(location: tuple[int | str, ...]) -> str:
    parts = [str(part).upper() for part in location if not isinstance(part, int)]
    if not parts:
        return "KEEL_*"
    name = "__".join(parts)
    return name if name.startswith("KEEL_") else f"KEEL_{name}"


def describe_validation_error(error: ValidationError) -> str:
    lines: list[str] = []
    for issue in error.errors(include_url=False, include_input=False):
        message = str(issue["msg"]).removeprefix("Value error, ")
        location = issue["loc"]
        if not location and message.startswith("insecure production settings: "):
            lines.extend(f"  {part}" for part in message.removeprefix("insecure production settings: ").split("; "))
            continue
        lines.append(f"  {_variable_name(location)}: {message}")
    return "invalid settings:\n" + "\n".join(lines)


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment (and ``.env``); raise :class:`SettingsError` with a readable message."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        raise SettingsError(describe_validation_error(error)) from None


__all__ = [
    "ApiSettings",
    "CacheMode",
    "CacheSettings",
    "DatabaseSettings",
    "DevSettings",
    "EmailSettings",
    "Environment",
    "JobsSettings",
    "MaintenanceSettings",
    "ObservabilitySettings",
    "RateLimitClass",
    "RateLimitSettings",
    "SecuritySettings",
    "Settings",
    "SettingsError",
    "TemporalSettings",
    "decode_client_secret_key",
    "describe_validation_error",
    "load_settings",
    "parse_rate",
]
