"""Readiness: a registry of dependency checks and the use case that runs them."""

from keel.application.health.checks import CheckHealth, CheckResult, HealthCheck, HealthReport

__all__ = ["CheckHealth", "CheckResult", "HealthCheck", "HealthReport"]
