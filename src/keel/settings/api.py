"""The HTTP API's section (``KEEL_API__*``): serving, CORS, trusted hosts, body limits."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime

from pydantic import (
    Field,
    field_validator,
)

from keel.settings._common import (
    _HOST_PATTERN,
    CsvList,
    _Section,
)


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
