"""What ``ListUsers`` asks the repository for: filters, one sort from an allowlist, a cursor and a page size.

The order is total: ``ORDER BY <sort field> <direction>, id <direction>``; a cursor names the last item of the
previous page and the next page holds the items strictly after it in that order.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from keel.application.pagination import Cursor, CursorValue, InvalidCursor, ensure_page_size
from keel.domain.errors import InvariantViolated
from keel.domain.users import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Role, User, UserStatus

MAX_SEARCH_LENGTH = 100


class UnknownSort(InvariantViolated):
    code = "unknown_sort"


class SearchTooLong(InvariantViolated):
    code = "search_too_long"


class InvalidSearch(InvariantViolated):
    code = "invalid_search"


class UserSort(StrEnum):
    CREATED_AT = "created_at"
    CREATED_AT_DESC = "-created_at"
    EMAIL = "email"
    EMAIL_DESC = "-email"
    USERNAME = "username"
    USERNAME_DESC = "-username"

    @classmethod
    def parse(cls, value: str) -> UserSort:
        try:
            return cls(value)
        except ValueError:
            allowed = ", ".join(sort.value for sort in cls)
            raise UnknownSort(f"Sort by one of: {allowed}.", context={"field": "sort"}) from None

    @property
    def field(self) -> str:
        """The user attribute sorted on: ``created_at``, ``email`` or ``username``."""
        return self.value.removeprefix("-")

    @property
    def descending(self) -> bool:
        return self.value.startswith("-")

    def key_of(self, user: User) -> CursorValue:
        """The value ``user`` is sorted by: its ``created_at``, or its email or username as a string."""
        match self.field:
            case "created_at":
                return user.created_at
            case "email":
                return user.email.value
            case _:
                return user.username.value


@dataclass(frozen=True, kw_only=True)
class UserQuery:
    status: UserStatus | None = None
    role: Role | None = None
    q: str | None = None
    """Case-insensitive substring of the email, the username or the full name; blank means no filter."""
    sort: UserSort = UserSort.CREATED_AT
    include_deleted: bool = False
    cursor: Cursor | None = None
    limit: int = DEFAULT_PAGE_SIZE

    def __post_init__(self) -> None:
        ensure_page_size(self.limit, maximum=MAX_PAGE_SIZE)
        if self.cursor is not None and (self.cursor.sort != self.sort.value or len(self.cursor.key) != 1):
            raise InvalidCursor("The cursor belongs to another sort order.")
        if self.q is not None:
            search = self.q.strip()
            if len(search) > MAX_SEARCH_LENGTH:
                raise SearchTooLong(f"A search has at most {MAX_SEARCH_LENGTH} characters.", context={"field": "q"})
            if any(not character.isprintable() and not character.isspace() for character in search):
                # PostgreSQL text cannot hold NUL, and no email, username or name holds a control character.
                raise InvalidSearch("A search cannot contain control characters.", context={"field": "q"})
            object.__setattr__(self, "q", search or None)

    def cursor_after(self, user: User) -> Cursor:
        """The cursor of the page that follows ``user`` in this query's order."""
        return Cursor(sort=self.sort.value, key=(self.sort.key_of(user),), id=user.id)
