"""Events of a user's life. They carry ids, the names of what changed and its values before and after (for the audit
log), never a password or its hash: a handler that needs more loads the user."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from keel.domain.events import DomainEvent, FieldChange


@dataclass(frozen=True, kw_only=True)
class UserEvent(DomainEvent):
    user_id: UUID
    tenant_id: UUID
    version: int
    """The user's version after the change."""


@dataclass(frozen=True, kw_only=True)
class UserCreated(UserEvent):
    email: str
    username: str
    welcome_email: bool = True
    """Whether the new user is greeted with the welcome email; ``False`` when whoever created them chose not to (an
    import does unless asked: thousands of unexpected emails are not what an administrator moving users in wants)."""


@dataclass(frozen=True, kw_only=True)
class UserUpdated(UserEvent):
    changed_fields: tuple[str, ...]
    """Names of the attributes that changed, sorted (e.g. ``("email", "email_verified_at")``)."""
    changes: tuple[FieldChange, ...] = ()
    """The same attributes with their values before and after, in the same order."""


@dataclass(frozen=True, kw_only=True)
class UserDeleted(UserEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class UserRestored(UserEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class UserPurged(UserEvent):
    """The record of a user deleted long enough ago is gone for good (maintenance); ``version`` is its last one."""

    deleted_at: str
    """When the user had been deleted (ISO 8601): how long the record was kept after that."""
