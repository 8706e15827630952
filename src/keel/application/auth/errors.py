"""Errors of authentication."""

from __future__ import annotations

from keel.application.errors import AuthenticationRequired


class InvalidCredentials(AuthenticationRequired):
    """Log-in failed. Deliberately says nothing of why: the tenant, the email, the password or the user's status."""

    code = "invalid_credentials"

    def __init__(self) -> None:
        super().__init__("The tenant, email or password is not correct.")
