"""A set of changes to a user's attributes, applied at once as one new version (``User.update``)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from keel.domain.users.email import EmailAddress
from keel.domain.users.preferences import Preferences
from keel.domain.users.roles import Role, UserStatus
from keel.domain.users.username import Username


@dataclass(frozen=True, kw_only=True)
class UserChanges:
    """New values for some of a user's attributes; ``None`` leaves an attribute as it is."""

    full_name: str | None = None
    email: EmailAddress | None = None
    username: Username | None = None
    roles: frozenset[Role] | None = None
    status: UserStatus | None = None
    preferences: Preferences | None = None

    def given(self) -> dict[str, Any]:
        """The attributes this change set gives a value for."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}
