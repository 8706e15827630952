"""Errors raised by use cases for reasons outside the domain's rules."""

from __future__ import annotations


class ApplicationError(Exception):
    """Base of application-level errors. ``detail`` is safe to show to the caller."""

    code: str = "application_error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class DependencyUnavailable(ApplicationError):
    """A dependency the use case cannot do without (database, broker) is down; retrying later may succeed."""

    code = "dependency_unavailable"

    def __init__(self, detail: str, *, retry_after_seconds: int = 5) -> None:
        super().__init__(detail)
        self.retry_after_seconds = retry_after_seconds


class AuthenticationRequired(ApplicationError):
    """The caller is not authenticated, or the credentials are not valid. ``challenge`` names the authentication
    scheme to use (the ``WWW-Authenticate`` header of a 401)."""

    code = "authentication_required"
    challenge: str = "Bearer"


class PermissionDenied(ApplicationError):
    """The caller is authenticated but may not do this."""

    code = "permission_denied"


class TooManyRequests(ApplicationError):
    """The caller used up a quota; ``retry_after_seconds`` says when a request may pass again."""

    code = "rate_limited"

    def __init__(self, detail: str, *, retry_after_seconds: int) -> None:
        super().__init__(detail)
        self.retry_after_seconds = retry_after_seconds
