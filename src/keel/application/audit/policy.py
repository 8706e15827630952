"""Which events are audited, as what, and the before-commit handler that writes their entries.

One durable event is one entry: a change to one entity. ``DEFAULT_AUDITED`` maps each audited event type to how it
reads in the log; a feature that adds an event adds one rule here (a test fails for an event of ``keel.domain`` that has
none).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from uuid import UUID

from keel.application.audit.context import RequestContextSource
from keel.application.audit.entries import AuditEntry
from keel.application.ports.ids import IdGenerator
from keel.domain.auth import EmailVerificationRequested, PasswordResetRequested
from keel.domain.events import DomainEvent, FieldChange
from keel.domain.tenants import TenantCreated
from keel.domain.users import UserCreated, UserDeleted, UserPurged, UserRestored, UserUpdated

if TYPE_CHECKING:
    from keel.application.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class AuditedChange:
    """What one event changed, as the audit log records it."""

    tenant_id: UUID
    action: str
    entity_type: str
    entity_id: UUID
    changes: tuple[FieldChange, ...] = ()


type AuditRule[E: DomainEvent] = Callable[[E], AuditedChange]


def _tenant_created(event: TenantCreated) -> AuditedChange:
    return AuditedChange(
        event.tenant_id, "tenant.created", "tenant", event.tenant_id, (FieldChange("slug", None, event.slug),)
    )


def _user_created(event: UserCreated) -> AuditedChange:
    changes = (FieldChange("email", None, event.email), FieldChange("username", None, event.username))
    return AuditedChange(event.tenant_id, "user.created", "user", event.user_id, changes)


def _user_updated(event: UserUpdated) -> AuditedChange:
    return AuditedChange(event.tenant_id, "user.updated", "user", event.user_id, event.changes)


def _user_deleted(event: UserDeleted) -> AuditedChange:
    return AuditedChange(event.tenant_id, "user.deleted", "user", event.user_id, (FieldChange("deleted", False, True),))


def _user_restored(event: UserRestored) -> AuditedChange:
    return AuditedChange(
        event.tenant_id, "user.restored", "user", event.user_id, (FieldChange("deleted", True, False),)
    )


def _user_purged(event: UserPurged) -> AuditedChange:
    # The entry keeps only ids and the deletion time: the purged record's personal data stays gone.
    return AuditedChange(
        event.tenant_id, "user.purged", "user", event.user_id, (FieldChange("deleted_at", event.deleted_at, None),)
    )


def _password_reset_requested(event: PasswordResetRequested) -> AuditedChange:
    # Never the token: the entry says that a reset was asked for, and until when it can be used.
    return AuditedChange(
        event.tenant_id,
        "user.password_reset_requested",
        "user",
        event.user_id,
        (FieldChange("reset_expires_at", None, event.expires_at.isoformat()),),
    )


def _email_verification_requested(event: EmailVerificationRequested) -> AuditedChange:
    return AuditedChange(
        event.tenant_id,
        "user.email_verification_requested",
        "user",
        event.user_id,
        (FieldChange("verification_expires_at", None, event.expires_at.isoformat()),),
    )


DEFAULT_AUDITED: Mapping[type[DomainEvent], AuditRule[Any]] = MappingProxyType(
    {
        PasswordResetRequested: _password_reset_requested,
        EmailVerificationRequested: _email_verification_requested,
        TenantCreated: _tenant_created,
        UserCreated: _user_created,
        UserUpdated: _user_updated,
        UserDeleted: _user_deleted,
        UserRestored: _user_restored,
        UserPurged: _user_purged,
    }
)


class AuditPolicy:
    """Turns events into audit entries, with the acting context of the current request."""

    def __init__(
        self,
        ids: IdGenerator,
        contexts: RequestContextSource,
        rules: Mapping[type[DomainEvent], AuditRule[Any]] = DEFAULT_AUDITED,
    ) -> None:
        self._ids = ids
        self._contexts = contexts
        self._rules = rules

    def entries_for(self, events: Sequence[DomainEvent]) -> list[AuditEntry]:
        context = self._contexts.current()
        entries: list[AuditEntry] = []
        for event in events:
            rule = self._rules.get(type(event))
            if rule is None:
                continue
            change = rule(event)
            entries.append(
                AuditEntry(
                    id=self._ids.new_id(),
                    tenant_id=change.tenant_id,
                    occurred_at=event.occurred_at,
                    action=change.action,
                    entity_type=change.entity_type,
                    entity_id=change.entity_id,
                    actor_kind=context.actor_kind,
                    actor_id=context.actor_id,
                    changes=change.changes,
                    request_id=context.request_id,
                    ip=context.ip,
                    user_agent=context.user_agent,
                )
            )
        return entries


class AuditWriter:
    """Before-commit handler: write the audit entries of the events about to commit into ``uow.audit_events``.

    It runs inside the transaction: the entries commit with the change or not at all, and a failure to write them fails
    the commit.
    """

    def __init__(self, policy: AuditPolicy) -> None:
        self._policy = policy

    async def __call__(self, uow: UnitOfWork, events: Sequence[DomainEvent]) -> None:
        entries = self._policy.entries_for(events)
        if entries:
            await uow.audit_events.add(entries)
