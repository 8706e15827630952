"""Authentication and sessions: log-in, refresh-token rotation, logout, password reset and email verification."""

from keel.application.auth.email_verification import (
    RequestEmailVerification,
    RequestEmailVerificationCommand,
    VerifyEmail,
    VerifyEmailCommand,
)
from keel.application.auth.errors import InvalidCredentials, InvalidOneTimeToken, InvalidRefreshToken
from keel.application.auth.login import Login, LoginCommand
from keel.application.auth.logout import Logout, LogoutCommand
from keel.application.auth.password_reset import (
    RequestPasswordReset,
    RequestPasswordResetCommand,
    ResetPassword,
    ResetPasswordCommand,
)
from keel.application.auth.ports import OneTimeTokenRepository, RefreshTokenRepository
from keel.application.auth.purge import PurgedTokens, PurgeExpiredTokens
from keel.application.auth.refresh import RefreshCommand, RefreshSession
from keel.application.auth.sessions import IssuedTokens, NewRefreshToken, SessionTokens

__all__ = [
    "InvalidCredentials",
    "InvalidOneTimeToken",
    "InvalidRefreshToken",
    "IssuedTokens",
    "Login",
    "LoginCommand",
    "Logout",
    "LogoutCommand",
    "NewRefreshToken",
    "OneTimeTokenRepository",
    "PurgeExpiredTokens",
    "PurgedTokens",
    "RefreshCommand",
    "RefreshSession",
    "RefreshTokenRepository",
    "RequestEmailVerification",
    "RequestEmailVerificationCommand",
    "RequestPasswordReset",
    "RequestPasswordResetCommand",
    "ResetPassword",
    "ResetPasswordCommand",
    "SessionTokens",
    "VerifyEmail",
    "VerifyEmailCommand",
]
