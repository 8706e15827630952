"""Sessions and one-time tokens: the opaque secrets a user holds (refresh, password-reset and email-verification
tokens), the rules of their life, and the events that ask for an email to carry one."""

from keel.domain.auth.errors import EmailAlreadyVerified
from keel.domain.auth.events import EmailVerificationRequested, OneTimeTokenRequested, PasswordResetRequested
from keel.domain.auth.one_time_tokens import OneTimeToken, TokenPurpose
from keel.domain.auth.opaque_tokens import OPAQUE_TOKEN_BYTES, OpaqueToken, TokenDigest
from keel.domain.auth.refresh_tokens import RefreshToken, RevocationReason

__all__ = [
    "OPAQUE_TOKEN_BYTES",
    "EmailAlreadyVerified",
    "EmailVerificationRequested",
    "OneTimeToken",
    "OneTimeTokenRequested",
    "OpaqueToken",
    "PasswordResetRequested",
    "RefreshToken",
    "RevocationReason",
    "TokenDigest",
    "TokenPurpose",
]
