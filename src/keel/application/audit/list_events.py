"""ListAuditEvents: a page of the actor's tenant's audit entries, newest first, filtered."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from keel.application.audit.entries import AUDIT_SORT, AuditEntry, AuditQuery
from keel.application.pagination import Cursor, InvalidCursor, Page, ensure_page_size
from keel.application.unit_of_work import UnitOfWorkFactory
from keel.application.users.actor import Actor

MAX_AUDIT_PAGE_SIZE: Final = 100


@dataclass(frozen=True, kw_only=True)
class ListAuditEventsQuery:
    actor: Actor
    """Who asks; the page holds their tenant's entries only. The route decides who may ask."""
    criteria: AuditQuery


class ListAuditEvents:
    """Asks the log for one more entry than the page holds: if it comes, there is a next page."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, query: ListAuditEventsQuery) -> Page[AuditEntry]:
        criteria = query.criteria
        ensure_page_size(criteria.limit, maximum=MAX_AUDIT_PAGE_SIZE)
        if criteria.cursor is not None and (criteria.cursor.sort != AUDIT_SORT or criteria.cursor.key):
            raise InvalidCursor
        async with self._uow(read_only=True) as uow:
            found = await uow.audit_events.find(query.actor.tenant_id, criteria, limit=criteria.limit + 1)
        items = tuple(found[: criteria.limit])
        has_more = len(found) > criteria.limit
        next_cursor = Cursor(sort=AUDIT_SORT, key=(), id=items[-1].id) if has_more else None
        return Page(items=items, next_cursor=next_cursor)
