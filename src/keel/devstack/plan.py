"""Which services the stack starts itself, and where the API finds each one. Pure: no process, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from keel.devstack.ports import LOOPBACK
from keel.settings import CacheMode, Settings

DEV_DATABASE = "keel"
DEV_DATABASE_USER = "postgres"
_WILDCARD_HOSTS = {"", "0.0.0.0", "::"}  # noqa: S104 - only compared with, never bound


class Embedded(StrEnum):
    """A service the stack runs as a child when the settings do not point at one."""

    POSTGRES = "postgres"
    REDIS = "redis"
    TEMPORAL = "temporal"
    SMTP = "smtp"


@dataclass(frozen=True)
class StackPlan:
    embedded: frozenset[Embedded]
    state_dir: Path
    database_url: str
    cache_url: str | None
    temporal_address: str
    temporal_ui_url: str | None
    smtp_host: str
    smtp_port: int
    api_host: str
    api_port: int

    def starts(self, service: Embedded) -> bool:
        return service in self.embedded

    @property
    def api_probe_host(self) -> str:
        """Where a local client reaches the API (a wildcard bind is reached on the loopback)."""
        return LOOPBACK if self.api_host in _WILDCARD_HOSTS else self.api_host

    @property
    def api_url(self) -> str:
        host = self.api_probe_host
        return f"http://[{host}]:{self.api_port}" if ":" in host else f"http://{host}:{self.api_port}"

    def app_environment(self) -> dict[str, str]:
        """Variables that point the API (and any other keel process) at the services of this plan."""
        environment = {
            "KEEL_DATABASE__URL": self.database_url,
            "KEEL_TEMPORAL__ADDRESS": self.temporal_address,
            "KEEL_EMAIL__SMTP_HOST": self.smtp_host,
            "KEEL_EMAIL__SMTP_PORT": str(self.smtp_port),
        }
        if self.cache_url is not None:
            environment["KEEL_CACHE__URL"] = self.cache_url
        return environment


def embedded_database_url(port: int, database: str = DEV_DATABASE) -> str:
    return f"postgresql+asyncpg://{DEV_DATABASE_USER}@{LOOPBACK}:{port}/{database}"


def plan_stack(settings: Settings) -> StackPlan:
    """Embed every service whose location was not set explicitly (environment or ``.env``)."""
    dev = settings.dev
    embedded: set[Embedded] = set()

    database_url = settings.database.url
    if "url" not in settings.database.model_fields_set:
        embedded.add(Embedded.POSTGRES)
        database_url = embedded_database_url(dev.postgres_port)

    cache_url: str | None = None
    if settings.cache.mode is CacheMode.REDIS:
        cache_url = settings.cache.url
        if "url" not in settings.cache.model_fields_set:
            embedded.add(Embedded.REDIS)
            cache_url = f"redis://{LOOPBACK}:{dev.redis_port}/0"

    temporal_address = settings.temporal.address
    temporal_ui_url: str | None = None
    if "address" not in settings.temporal.model_fields_set:
        embedded.add(Embedded.TEMPORAL)
        temporal_address = f"{LOOPBACK}:{dev.temporal_port}"
        temporal_ui_url = f"http://{LOOPBACK}:{dev.temporal_ui_port}"

    smtp_host, smtp_port = settings.email.smtp_host, settings.email.smtp_port
    if not {"smtp_host", "smtp_port"} & settings.email.model_fields_set:
        embedded.add(Embedded.SMTP)
        smtp_host, smtp_port = LOOPBACK, dev.smtp_port

    return StackPlan(
        embedded=frozenset(embedded),
        state_dir=dev.state_dir,
        database_url=database_url,
        cache_url=cache_url,
        temporal_address=temporal_address,
        temporal_ui_url=temporal_ui_url,
        smtp_host=smtp_host,
        smtp_port=smtp_port,
        api_host=settings.api.host,
        api_port=settings.api.port,
    )
