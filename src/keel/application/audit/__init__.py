"""The audit log: who changed what, when, from where — written in the transaction of the change itself.

Every durable event a use case's aggregates record becomes one ``AuditEntry``, written by ``AuditWriter`` (a
before-commit handler of the unit of work, like the outbox writer): the entry commits with the change or not at all.
Who acted and from where (user or API client, request id, IP, user agent) comes from the ``RequestContextSource``
port, which the API binds per request; use cases and routes never pass it. See ``docs/explanation/audit-log.md``.
"""

from keel.application.audit.context import (
    ActorKind,
    ContextVarRequestContexts,
    RequestContext,
    RequestContextSource,
    request_contexts,
)
from keel.application.audit.entries import AUDIT_SORT, AuditEntry, AuditLog, AuditQuery
from keel.application.audit.list_events import MAX_AUDIT_PAGE_SIZE, ListAuditEvents, ListAuditEventsQuery
from keel.application.audit.policy import AuditedChange, AuditPolicy, AuditWriter

__all__ = [
    "AUDIT_SORT",
    "MAX_AUDIT_PAGE_SIZE",
    "ActorKind",
    "AuditEntry",
    "AuditLog",
    "AuditPolicy",
    "AuditQuery",
    "AuditWriter",
    "AuditedChange",
    "ContextVarRequestContexts",
    "ListAuditEvents",
    "ListAuditEventsQuery",
    "RequestContext",
    "RequestContextSource",
    "request_contexts",
]
