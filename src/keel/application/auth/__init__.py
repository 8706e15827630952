"""Authentication: logging in with a tenant slug, an email and a password."""

from keel.application.auth.errors import InvalidCredentials
from keel.application.auth.login import Login, LoginCommand

__all__ = ["InvalidCredentials", "Login", "LoginCommand"]
