"""The details of a user to create, as given (``NewUser``, or ``InvitedUser`` without a password) and once validated
into domain values (``UserDraft``)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from keel.domain.users import EmailAddress, Password, Preferences, Role, User, Username, clean_full_name, role_set


@dataclass(frozen=True, kw_only=True)
class NewUser:
    email: str
    username: str
    password: str = field(repr=False)
    full_name: str = ""
    roles: Collection[Role | str] = frozenset({Role.MEMBER})
    locale: str | None = None
    timezone: str | None = None

    def validate(self) -> UserDraft:
        """The domain values; raises the first ``InvariantViolated`` met (email, username, password, ...)."""
        defaults = Preferences()
        return UserDraft(
            email=EmailAddress(self.email),
            username=Username(self.username),
            password=Password(self.password),
            full_name=clean_full_name(self.full_name),
            roles=role_set(self.roles),
            preferences=defaults.with_changes(locale=self.locale, timezone=self.timezone),
        )


@dataclass(frozen=True, kw_only=True)
class InvitedUser:
    """A user added without a password (an imported row): they cannot log in until they set one."""

    email: str
    username: str
    full_name: str = ""
    roles: Collection[Role | str] = frozenset({Role.MEMBER})

    def validate(self) -> UserDraft:
        """The domain values; raises the first ``InvariantViolated`` met (email, username, full name, roles)."""
        return UserDraft(
            email=EmailAddress(self.email),
            username=Username(self.username),
            password=None,
            full_name=clean_full_name(self.full_name),
            roles=role_set(self.roles),
            preferences=Preferences(),
        )


@dataclass(frozen=True, kw_only=True)
class UserDraft:
    email: EmailAddress
    username: Username
    password: Password | None = field(repr=False)
    """``None`` for an invited user: stored with ``UNUSABLE_PASSWORD_HASH``."""
    full_name: str
    roles: frozenset[Role]
    preferences: Preferences

    def register(self, *, id: UUID, tenant_id: UUID, now: datetime, welcome_email: bool = True) -> User:
        return User.register(
            id=id,
            tenant_id=tenant_id,
            email=self.email,
            username=self.username,
            roles=self.roles,
            now=now,
            full_name=self.full_name,
            preferences=self.preferences,
            welcome_email=welcome_email,
        )
