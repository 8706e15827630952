"""The sections of the services keel talks to: Temporal (``KEEL_TEMPORAL__*``) and SMTP (``KEEL_EMAIL__*``)."""

from __future__ import annotations

from email.utils import parseaddr
from typing import Self
from urllib.parse import urlsplit

from pydantic import (
    Field,
    SecretStr,
    field_validator,
    model_validator,
)

from keel.settings._common import _Section


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
    outbox_start_timeout_seconds: float = Field(
        default=5.0,
        gt=0,
        le=60,
        description="Longest wait for one workflow start by the relay. A start cut short is retried with the backoff "
        "(one that did reach Temporal makes the retry a no-op), so an unreachable Temporal never holds the relay's "
        "claimed rows for the SDK's whole retry sequence.",
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
