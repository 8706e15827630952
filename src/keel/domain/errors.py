"""Base classes of the errors the domain raises. They name what went wrong in domain terms and know nothing of HTTP.

Each concrete error has a stable machine-readable ``code`` (snake_case) that clients may rely on; the presentation layer
decides how each family is shown (``keel.presentation.api.problems``).
"""

from __future__ import annotations

from collections.abc import Mapping


class DomainError(Exception):
    """A rule of the domain was broken. ``detail`` is safe to show to the caller."""

    code: str = "domain_error"

    def __init__(self, detail: str, *, context: Mapping[str, object] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.context: Mapping[str, object] = dict(context or {})


class NotFound(DomainError):
    """The thing asked for does not exist (or is not visible to the caller)."""

    code = "not_found"


class Conflict(DomainError):
    """The change contradicts the current state, e.g. a value that must be unique is taken."""

    code = "conflict"


class InvariantViolated(DomainError):
    """The input is well-formed but breaks a rule of the domain."""

    code = "invariant_violated"


class VersionConflict(DomainError):
    """The entity changed since the caller read it (optimistic concurrency)."""

    code = "version_conflict"
