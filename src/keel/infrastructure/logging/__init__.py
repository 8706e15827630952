"""structlog configuration: JSON in production, console in development, secrets redacted everywhere."""

from keel.infrastructure.logging.configure import configure_logging
from keel.infrastructure.logging.redaction import REDACTED, redact_secrets

__all__ = ["REDACTED", "configure_logging", "redact_secrets"]
