"""The user aggregate: who someone is in a tenant, what they may do there, and the record of every change.

Every effective change increments ``version`` by exactly one and records one event; a change to the current values is
a no-op (no new version, no event). A deleted user cannot change until restored. Rules that need other users (unique
email and username, the tenant's last owner) live in the domain services ``UniqueIdentityPolicy`` and
``LastOwnerPolicy``, which use cases consult before storing the change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from keel.domain.events import Aggregate, FieldChange, FieldValue
from keel.domain.names import display_name
from keel.domain.users.changes import UserChanges
from keel.domain.users.email import EmailAddress
from keel.domain.users.errors import InvalidFullName, UserNotFound
from keel.domain.users.events import UserCreated, UserDeleted, UserPurged, UserRestored, UserUpdated
from keel.domain.users.limits import MAX_FULL_NAME_LENGTH
from keel.domain.users.preferences import Preferences
from keel.domain.users.roles import Role, UserStatus, role_set
from keel.domain.users.username import Username


def clean_full_name(raw: str) -> str:
    """The name without surrounding whitespace: up to ``MAX_FULL_NAME_LENGTH`` printable characters, may be empty."""
    name = display_name(raw, min_length=0, max_length=MAX_FULL_NAME_LENGTH)
    if name is None:
        raise InvalidFullName(
            f"A full name has at most {MAX_FULL_NAME_LENGTH} printable characters.", context={"field": "full_name"}
        )
    return name


@dataclass(eq=False, kw_only=True)
class User(Aggregate):
    tenant_id: UUID
    email: EmailAddress
    username: Username
    full_name: str
    roles: frozenset[Role]
    status: UserStatus
    preferences: Preferences
    email_verified_at: datetime | None
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None
    version: int = 1

    @classmethod
    def register(
        cls,
        *,
        id: UUID,
        tenant_id: UUID,
        email: EmailAddress,
        username: Username,
        roles: frozenset[Role],
        now: datetime,
        full_name: str = "",
        preferences: Preferences | None = None,
        welcome_email: bool = True,
    ) -> User:
        """A new active user at version 1; records ``UserCreated`` (``welcome_email``: see the event)."""
        user = cls(
            id=id,
            tenant_id=tenant_id,
            email=email,
            username=username,
            full_name=clean_full_name(full_name),
            roles=role_set(roles),
            status=UserStatus.ACTIVE,
            preferences=preferences or Preferences(),
            email_verified_at=None,
            created_at=now,
            updated_at=now,
        )
        user.record(
            UserCreated(
                occurred_at=now,
                user_id=id,
                tenant_id=tenant_id,
                version=1,
                email=email.value,
                username=username.value,
                welcome_email=welcome_email,
            )
        )
        return user

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_active(self) -> bool:
        """Not deleted and not disabled: may log in and act."""
        return self.status is UserStatus.ACTIVE and not self.is_deleted

    @property
    def is_active_owner(self) -> bool:
        """Counts towards the tenant's owners (see ``LastOwnerPolicy``)."""
        return self.is_active and Role.OWNER in self.roles

    def diff(self, changes: UserChanges) -> UserChanges:
        """The part of ``changes`` that would change this user, validated (full name cleaned, roles checked)."""
        proposed = changes.given()
        if changes.full_name is not None:
            proposed["full_name"] = clean_full_name(changes.full_name)
        if changes.roles is not None:
            proposed["roles"] = role_set(changes.roles)
        return UserChanges(**{name: value for name, value in proposed.items() if getattr(self, name) != value})

    def update(self, changes: UserChanges, now: datetime) -> frozenset[str]:
        """Apply the changes as one new version; the names of the attributes that actually changed (empty: no-op).

        A new email is not verified yet, so it clears ``email_verified_at``.
        """
        self._ensure_not_deleted()
        new_values = self.diff(changes).given()
        if not new_values:
            return frozenset()
        if "email" in new_values and self.email_verified_at is not None:
            new_values["email_verified_at"] = None
        before = {name: getattr(self, name) for name in new_values}
        for name, value in new_values.items():
            setattr(self, name, value)
        self._new_version(now)
        self._record_update(now, {name: (before[name], value) for name, value in new_values.items()})
        return frozenset(new_values)

    def rename(self, full_name: str, now: datetime) -> bool:
        return bool(self.update(UserChanges(full_name=full_name), now))

    def change_email(self, email: EmailAddress, now: datetime) -> bool:
        return bool(self.update(UserChanges(email=email), now))

    def change_username(self, username: Username, now: datetime) -> bool:
        return bool(self.update(UserChanges(username=username), now))

    def assign_roles(self, roles: frozenset[Role], now: datetime) -> bool:
        """Replace the roles. Check ``LastOwnerPolicy`` first when this takes ``owner`` away."""
        return bool(self.update(UserChanges(roles=roles), now))

    def change_preferences(self, preferences: Preferences, now: datetime) -> bool:
        return bool(self.update(UserChanges(preferences=preferences), now))

    def disable(self, now: datetime) -> bool:
        """Stop the user from logging in. Check ``LastOwnerPolicy`` first for an owner."""
        return bool(self.update(UserChanges(status=UserStatus.DISABLED), now))

    def enable(self, now: datetime) -> bool:
        return bool(self.update(UserChanges(status=UserStatus.ACTIVE), now))

    def verify_email(self, now: datetime) -> bool:
        """Mark the current email as verified; a no-op when it already is."""
        self._ensure_not_deleted()
        if self.email_verified_at is not None:
            return False
        self.email_verified_at = now
        self._new_version(now)
        self._record_update(now, {"email_verified_at": (None, now)})
        return True

    def soft_delete(self, now: datetime) -> bool:
        """Hide the user and stop them logging in, keeping the record for ``restore``. Their email and username are
        free again: uniqueness holds among non-deleted users only, so another user may take them meanwhile.

        Check ``LastOwnerPolicy`` first for an owner. A no-op when already deleted.
        """
        if self.is_deleted:
            return False
        self.deleted_at = now
        self._new_version(now)
        self.record(UserDeleted(occurred_at=now, user_id=self.id, tenant_id=self.tenant_id, version=self.version))
        return True

    def restore(self, now: datetime) -> bool:
        """Undo ``soft_delete``; a no-op when the user is not deleted.

        Check ``UniqueIdentityPolicy.ensure_may_restore`` first: a non-deleted user may hold the email or username now.
        """
        if not self.is_deleted:
            return False
        self.deleted_at = None
        self._new_version(now)
        self.record(UserRestored(occurred_at=now, user_id=self.id, tenant_id=self.tenant_id, version=self.version))
        return True

    def purge(self, now: datetime) -> None:
        """Record that this deleted user's record is removed for good (``UserPurged``); the repository removes it.

        Only a deleted user may be purged: a live one raises ``UserNotFound`` (there is no deleted user to purge).
        """
        if self.deleted_at is None:
            raise UserNotFound("Only a deleted user can be purged.")
        self.record(
            UserPurged(
                occurred_at=now,
                user_id=self.id,
                tenant_id=self.tenant_id,
                version=self.version,
                deleted_at=self.deleted_at.isoformat(),
            )
        )

    def _ensure_not_deleted(self) -> None:
        if self.is_deleted:
            raise UserNotFound("The user is deleted; restore it first.")

    def _new_version(self, now: datetime) -> None:
        self.version += 1
        self.updated_at = now

    def _record_update(self, now: datetime, values: dict[str, tuple[object, object]]) -> None:
        """Record ``UserUpdated`` for ``values``: each changed attribute's (before, after)."""
        names = tuple(sorted(values))
        self.record(
            UserUpdated(
                occurred_at=now,
                user_id=self.id,
                tenant_id=self.tenant_id,
                version=self.version,
                changed_fields=names,
                changes=tuple(
                    FieldChange(name, plain_value(values[name][0]), plain_value(values[name][1])) for name in names
                ),
            )
        )


def plain_value(value: object) -> FieldValue:  # noqa: PLR0911 - one return per kind of attribute
    """An attribute's value in plain terms for ``FieldChange``: addresses and names as text, roles sorted, instants in
    ISO 8601, preferences as sorted (name, value) pairs."""
    match value:
        case None | bool() | int():
            return value
        case str():  # statuses and roles are StrEnums: their plain text
            return str(value)
        case EmailAddress() | Username():
            return value.value
        case frozenset():
            return tuple(sorted(str(item) for item in value))
        case datetime():
            return value.isoformat()
        case Preferences():
            return (("locale", value.locale), ("timezone", value.timezone))
        case _:
            return str(value)
