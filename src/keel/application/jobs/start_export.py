"""StartUserExport: queue an export of the tenant's users, in CSV or JSON Lines, filtered like the users list.

The filters are the users list's (``UserQuery``: status, role, a search ``q``, ``include_deleted``) with the same checks
and the same rights: managing users, and ``users:restore`` to see deleted users. The job row (kind ``export``, its
format and filters in ``parameters``) and the ``start_export`` outbox message are written in one transaction; the
worker's relay starts the export's workflow from the message.

``ExportRequest`` is what ``parameters`` holds, and how the workflow's activity reads it back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from keel.application.jobs.export_rows import ExportFormat
from keel.application.jobs.job import Job, JobKind, JobStatus
from keel.application.jobs.messages import start_job_message
from keel.application.outbox.messages import JsonValue
from keel.application.ports import Clock, IdGenerator
from keel.application.unit_of_work import UnitOfWorkFactory
from keel.application.users.access import UserAccessPolicy
from keel.application.users.actor import Actor
from keel.application.users.query import UserQuery
from keel.domain.users import Role, UserStatus


class InvalidExportParameters(ValueError):
    """A job's stored parameters are not an export's (written by hand, or by an incompatible version)."""


@dataclass(frozen=True, kw_only=True)
class ExportRequest:
    format: ExportFormat
    filters: UserQuery = field(default_factory=UserQuery)
    """Only the filters count (status, role, q, include_deleted); an export is always in creation order."""

    def to_parameters(self) -> dict[str, JsonValue]:
        filters = self.filters
        return {
            "format": self.format.value,
            "filters": {
                "status": filters.status.value if filters.status is not None else None,
                "role": filters.role.value if filters.role is not None else None,
                "q": filters.q,
                "include_deleted": filters.include_deleted,
            },
        }

    @classmethod
    def from_parameters(cls, parameters: Mapping[str, JsonValue]) -> ExportRequest:
        filters = parameters.get("filters", {})
        if not isinstance(filters, dict):
            raise InvalidExportParameters("export parameters: 'filters' must be an object")
        try:
            status, role, q = filters.get("status"), filters.get("role"), filters.get("q")
            include_deleted = filters.get("include_deleted", False)
            if not isinstance(q, str | None) or not isinstance(include_deleted, bool):
                raise InvalidExportParameters("export parameters: 'q' must be a string, 'include_deleted' a boolean")
            return cls(
                format=ExportFormat(str(parameters.get("format"))),
                filters=UserQuery(
                    status=UserStatus(str(status)) if status is not None else None,
                    role=Role(str(role)) if role is not None else None,
                    q=q,
                    include_deleted=include_deleted,
                ),
            )
        except ValueError as error:
            raise InvalidExportParameters(f"export parameters: {error}") from None


@dataclass(frozen=True, kw_only=True)
class StartExportCommand:
    actor: Actor
    request: ExportRequest


class StartUserExport:
    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator, *, access: UserAccessPolicy | None = None
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._access = access or UserAccessPolicy()

    async def __call__(self, command: StartExportCommand) -> Job:
        ensure_may_export(self._access, command.actor, command.request)
        job = Job(
            id=self._ids.new_id(),
            tenant_id=command.actor.tenant_id,
            kind=JobKind.EXPORT,
            status=JobStatus.QUEUED,
            requested_by=command.actor.user_id,
            created_at=self._clock.now(),
            parameters=command.request.to_parameters(),
        )
        async with self._uow() as uow:
            await uow.jobs.add(job)
            await uow.outbox.add([start_job_message(job)])
            await uow.commit()
        return job


def ensure_may_export(access: UserAccessPolicy, actor: Actor, request: ExportRequest) -> None:
    """Managing users, and ``users:restore`` for deleted ones: checked when asked, and again when the export runs."""
    access.ensure_manages_users(actor)
    access.ensure_may_read(actor, include_deleted=request.filters.include_deleted)
