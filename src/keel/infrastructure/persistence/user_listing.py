"""The statement behind ``UserRepository.find``: filters, then keyset pagination in one of the allowlisted orders.

The order is ``<sort column> <direction>, id <direction>``, total thanks to the id; the page after a cursor is the
rows whose ``(sort column, id)`` row value comes strictly after the cursor's, so each page is an index range scan of
``(tenant_id, <sort column>, id)`` however deep the client pages, and rows inserted meanwhile never shift a page.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final
from uuid import UUID

from sqlalchemy import ColumnElement, Select, or_, select, tuple_

from keel.application.pagination import Cursor, CursorValue, InvalidCursor
from keel.application.users.query import UserQuery, UserSort
from keel.infrastructure.database.models.users import users_table
from keel.infrastructure.persistence.user_mapper import USER_COLUMNS

_users = users_table.c
SORT_COLUMNS: Final = {"created_at": _users.created_at, "email": _users.email, "username": _users.username}
SEARCHED_COLUMNS: Final = (_users.email, _users.username, _users.full_name)
LIKE_ESCAPE: Final = "\\"


def listing_statement(tenant_id: UUID, query: UserQuery, *, limit: int) -> Select[Any]:
    """Up to ``limit`` of the tenant's users matching ``query``, after its cursor, in its order."""
    sort_column = SORT_COLUMNS[query.sort.field]
    statement = select(*USER_COLUMNS).where(_users.tenant_id == tenant_id, *_filters(query))
    if query.cursor is not None:
        position = tuple_(sort_column, _users.id)
        after = tuple_(cursor_key(query.sort, query.cursor), query.cursor.id)
        statement = statement.where(position < after if query.sort.descending else position > after)
    if query.sort.descending:
        statement = statement.order_by(sort_column.desc(), _users.id.desc())
    else:
        statement = statement.order_by(sort_column.asc(), _users.id.asc())
    return statement.limit(limit)


def _filters(query: UserQuery) -> list[ColumnElement[bool]]:
    filters: list[ColumnElement[bool]] = []
    if not query.include_deleted:
        filters.append(_users.deleted_at.is_(None))
    if query.status is not None:
        filters.append(_users.status == query.status.value)
    if query.role is not None:
        filters.append(_users.roles.contains([query.role.value]))
    if query.q:
        pattern = contains_pattern(query.q)
        filters.append(or_(*(column.ilike(pattern, escape=LIKE_ESCAPE) for column in SEARCHED_COLUMNS)))
    return filters


def contains_pattern(text: str) -> str:
    """An ILIKE pattern matching ``text`` anywhere, its ``%``, ``_`` and escape characters taken literally."""
    escaped = text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", f"{LIKE_ESCAPE}%").replace("_", f"{LIKE_ESCAPE}_")
    return f"%{escaped}%"


def cursor_key(sort: UserSort, cursor: Cursor) -> CursorValue:
    """The cursor's sort key, checked to be of the sort column's type (an aware datetime, or a string)."""
    (value,) = cursor.key
    if sort.field == "created_at":
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise InvalidCursor
    elif not isinstance(value, str):
        raise InvalidCursor
    return value
