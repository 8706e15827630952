"""Runtime settings, read from the environment (prefix ``KEEL_``, nested delimiter ``__``) and an optional ``.env``.

Nothing here is read at import time: call :func:`load_settings` from an entry point. Each concern has its own model so
that a component receives only the section it needs.

The sections live in their own modules (``stores``, ``security``, ``services``, ``api``, ``operations``); everything is
importable from ``keel.settings``.
"""

from __future__ import annotations

from typing import Self

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from keel.settings._common import (
    CLIENT_SECRET_KEY_BYTES,
    MAX_RATE_PER_SECOND,
    CacheMode,
    CsvList,
    Environment,
    RateSpec,
    decode_client_secret_key,
    parse_rate,
)
from keel.settings.api import ApiSettings
from keel.settings.operations import DevSettings, JobsSettings, MaintenanceSettings, ObservabilitySettings
from keel.settings.security import RateLimitClass, RateLimitSettings, SecuritySettings
from keel.settings.services import EmailSettings, TemporalSettings
from keel.settings.stores import CacheSettings, DatabaseSettings

__all__ = [
    "CLIENT_SECRET_KEY_BYTES",
    "MAX_RATE_PER_SECOND",
    "ApiSettings",
    "CacheMode",
    "CacheSettings",
    "CsvList",
    "DatabaseSettings",
    "DevSettings",
    "EmailSettings",
    "Environment",
    "JobsSettings",
    "MaintenanceSettings",
    "ObservabilitySettings",
    "RateLimitClass",
    "RateLimitSettings",
    "RateSpec",
    "SecuritySettings",
    "Settings",
    "SettingsError",
    "TemporalSettings",
    "decode_client_secret_key",
    "describe_validation_error",
    "load_settings",
    "parse_rate",
]


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
