"""Users: who someone is in a tenant, their roles, and the rules that keep identities unique and tenants owned."""

from keel.domain.users.changes import UserChanges
from keel.domain.users.email import EmailAddress, normalise_email
from keel.domain.users.errors import (
    BatchTooLarge,
    EmailAlreadyUsed,
    InvalidEmail,
    InvalidFullName,
    InvalidLocale,
    InvalidRoles,
    InvalidStatus,
    InvalidTimezone,
    InvalidUsername,
    LastOwnerRequired,
    PasswordTooLong,
    UsernameAlreadyUsed,
    UserNotFound,
    WeakPassword,
)
from keel.domain.users.events import UserCreated, UserDeleted, UserEvent, UserPurged, UserRestored, UserUpdated
from keel.domain.users.limits import (
    DEFAULT_PAGE_SIZE,
    MAX_BATCH_SIZE,
    MAX_IMPORT_CHUNK_SIZE,
    MAX_PAGE_SIZE,
    MIN_PASSWORD_LENGTH,
)
from keel.domain.users.ownership import LastOwnerPolicy, OwnerCount
from keel.domain.users.passwords import UNUSABLE_PASSWORD_HASH, Password, PasswordHash, UserCredentials
from keel.domain.users.preferences import Preferences
from keel.domain.users.roles import Role, UserStatus, role_set, user_status
from keel.domain.users.uniqueness import IdentityLookup, TakenIdentities, UniqueIdentityPolicy
from keel.domain.users.user import User, clean_full_name
from keel.domain.users.username import Username

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_BATCH_SIZE",
    "MAX_IMPORT_CHUNK_SIZE",
    "MAX_PAGE_SIZE",
    "MIN_PASSWORD_LENGTH",
    "UNUSABLE_PASSWORD_HASH",
    "BatchTooLarge",
    "EmailAddress",
    "EmailAlreadyUsed",
    "IdentityLookup",
    "InvalidEmail",
    "InvalidFullName",
    "InvalidLocale",
    "InvalidRoles",
    "InvalidStatus",
    "InvalidTimezone",
    "InvalidUsername",
    "LastOwnerPolicy",
    "LastOwnerRequired",
    "OwnerCount",
    "Password",
    "PasswordHash",
    "PasswordTooLong",
    "Preferences",
    "Role",
    "TakenIdentities",
    "UniqueIdentityPolicy",
    "User",
    "UserChanges",
    "UserCreated",
    "UserCredentials",
    "UserDeleted",
    "UserEvent",
    "UserNotFound",
    "UserPurged",
    "UserRestored",
    "UserStatus",
    "UserUpdated",
    "Username",
    "UsernameAlreadyUsed",
    "WeakPassword",
    "clean_full_name",
    "normalise_email",
    "role_set",
    "user_status",
]
