"""A ``User`` as a compact record, and the record as stored bytes (``ValueCodec``).

The record is a positional JSON array, without the ids — the cache key already holds the tenant and the user id, and
leaving them out also makes it impossible to answer one key with another user:

```
[full_name, username, email, roles, status, locale, timezone, version, deleted_at, created_at, email_verified_at,
 updated_at]
```

Roles are their sorted names; instants are integer microseconds since the Unix epoch (``null`` when absent) and come
back as UTC datetimes, the same instants. The order is not arbitrary: it is the one, among those tried on generated
records, that the trained dictionary compresses best (names next to each other, the low-entropy fields together).
Changing the layout means bumping ``keys.SCHEMA_VERSION`` and training a new dictionary.

Decoding validates through the domain's own types: a value that does not make a valid ``User`` is
``UndecodableValue``, which the store treats as a miss.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Final, TypeGuard
from uuid import UUID

from keel.domain.errors import DomainError
from keel.domain.users import EmailAddress, Preferences, User, Username, UserStatus, role_set
from keel.infrastructure.cache.codec import DEFAULT_LEVEL, UndecodableValue, ValueCodec
from keel.infrastructure.cache.dictionaries import shipped_dictionaries

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND: Final = timedelta(microseconds=1)
_FIELDS: Final = 12


def user_record(user: User) -> bytes:
    """The compact record of the user (what ``ValueCodec`` then compresses)."""
    record = [
        user.full_name,
        user.username.value,
        user.email.value,
        sorted(role.value for role in user.roles),
        user.status.value,
        user.preferences.locale,
        user.preferences.timezone,
        user.version,
        _instant(user.deleted_at),
        _instant(user.created_at),
        _instant(user.email_verified_at),
        _instant(user.updated_at),
    ]
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode()


def user_from_record(record: bytes, *, tenant_id: UUID, user_id: UUID) -> User:
    """The user the record describes; ``UndecodableValue`` if it is not a valid user record."""
    try:
        fields = json.loads(record)
        if not isinstance(fields, list) or len(fields) != _FIELDS:
            raise UndecodableValue("not a user record")
        (full_name, username, email, roles, status, locale, timezone, version, deleted, created, verified, updated) = (
            fields
        )
        if not isinstance(full_name, str) or not _is_int(version):
            raise UndecodableValue("not a user record")
        return User(
            id=user_id,
            tenant_id=tenant_id,
            email=EmailAddress(email),
            username=Username(username),
            full_name=full_name,
            roles=role_set(roles),
            status=UserStatus(status),
            preferences=Preferences(locale=locale, timezone=timezone),
            email_verified_at=_datetime(verified),
            created_at=_required_datetime(created),
            updated_at=_required_datetime(updated),
            deleted_at=_datetime(deleted),
            version=version,
        )
    except (ValueError, TypeError, OverflowError, DomainError) as error:  # JSON and UTF-8 errors are ValueErrors
        raise UndecodableValue(f"not a user record: {type(error).__name__}") from None


class UserCacheCodec:
    """``User`` <-> stored bytes: the compact record, then the value codec's header and compression."""

    def __init__(self, values: ValueCodec) -> None:
        self.values = values

    def encode(self, user: User) -> bytes:
        return self.values.encode(user_record(user))

    def decode(self, value: bytes, *, tenant_id: UUID, user_id: UUID) -> User:
        """``UndecodableValue`` (``UnknownDictionary`` included) when the value cannot be read."""
        return user_from_record(self.values.decode(value), tenant_id=tenant_id, user_id=user_id)


def _instant(moment: datetime | None) -> int | None:
    return None if moment is None else (moment - _EPOCH) // _MICROSECOND


def _datetime(microseconds: object) -> datetime | None:
    if microseconds is None:
        return None
    return _required_datetime(microseconds)


def _required_datetime(microseconds: object) -> datetime:
    if not _is_int(microseconds):
        raise TypeError("an instant is an integer number of microseconds")
    return _EPOCH + microseconds * _MICROSECOND


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def shipped_user_cache_codec(*, level: int = DEFAULT_LEVEL) -> UserCacheCodec:
    """The codec with the dictionaries shipped in the package (``dictionaries``): what the container provides."""
    current, previous = shipped_dictionaries()
    return UserCacheCodec(ValueCodec(current, previous, level=level))
