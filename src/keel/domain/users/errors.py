"""What can go wrong with users, in domain terms. Each error has a stable ``code``; conflicts name the ``field``."""

from __future__ import annotations

from keel.domain.errors import Conflict, InvariantViolated, NotFound


class UserNotFound(NotFound):
    code = "user_not_found"

    def __init__(self, detail: str = "No such user.") -> None:
        super().__init__(detail)


class EmailAlreadyUsed(Conflict):
    """Another non-deleted user of the tenant has this email (soft-deleting a user frees theirs)."""

    code = "email_already_used"
    field = "email"

    def __init__(self, detail: str = "This email address is already used.") -> None:
        super().__init__(detail, context={"field": self.field})


class UsernameAlreadyUsed(Conflict):
    """Another non-deleted user of the tenant has this username (soft-deleting a user frees theirs)."""

    code = "username_already_used"
    field = "username"

    def __init__(self, detail: str = "This username is already used.") -> None:
        super().__init__(detail, context={"field": self.field})


class LastOwnerRequired(Conflict):
    """The change would leave the tenant without an active owner."""

    code = "last_owner"

    def __init__(self) -> None:
        super().__init__("The tenant's last active owner cannot stop being an owner.", context={"field": "roles"})


class InvalidEmail(InvariantViolated):
    code = "invalid_email"


class InvalidUsername(InvariantViolated):
    code = "invalid_username"


class InvalidFullName(InvariantViolated):
    code = "invalid_full_name"


class InvalidRoles(InvariantViolated):
    code = "invalid_roles"


class InvalidStatus(InvariantViolated):
    code = "invalid_status"


class InvalidLocale(InvariantViolated):
    code = "invalid_locale"


class InvalidTimezone(InvariantViolated):
    code = "invalid_timezone"


class WeakPassword(InvariantViolated):
    """The password does not meet the password policy."""

    code = "weak_password"


class PasswordTooLong(InvariantViolated):
    code = "password_too_long"


class BatchTooLarge(InvariantViolated):
    code = "batch_too_large"
