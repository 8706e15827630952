"""The sections of running keel: batch jobs, the maintenance schedule, observability, the local stack."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import (
    Field,
    SecretStr,
    field_validator,
)

from keel.settings._common import _Section


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
