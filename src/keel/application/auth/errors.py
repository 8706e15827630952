"""Errors of authentication."""

from __future__ import annotations

from keel.application.errors import ApplicationError, AuthenticationRequired


class InvalidCredentials(AuthenticationRequired):
    """Log-in failed. Deliberately says nothing of why: the tenant, the email, the password or the user's status."""

    code = "invalid_credentials"

    def __init__(self) -> None:
        super().__init__("The tenant, email or password is not correct.")


class InvalidRefreshToken(AuthenticationRequired):
    """A refresh was refused: the token is unknown, expired, revoked or already spent, or its user may no longer log
    in. One error, one message, whatever the reason (the reason is logged, never told)."""

    code = "invalid_refresh_token"

    def __init__(self) -> None:
        super().__init__("The refresh token is not valid; log in again.")


class InvalidOneTimeToken(ApplicationError):
    """A password-reset or email-verification token is unknown, expired or already used, or no longer applies (the
    user is gone, or the address changed since it was sent)."""

    code = "invalid_token"

    def __init__(self) -> None:
        super().__init__("This link is not valid or has expired; ask for a new one.")
