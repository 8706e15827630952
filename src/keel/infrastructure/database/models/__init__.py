"""Persistence models: the source of the database schema.

Every ``*Record`` class lives in a module of this package and derives from :class:`Base`. ``atlas.hcl`` runs
``atlas-provider-sqlalchemy`` over this folder, and the drift check compares what it prints with ``migrations/``.
Import a new module here so that ``Base.metadata`` sees its tables.

Records describe rows, not domain objects: the repositories in ``keel.infrastructure.persistence`` map rows to
entities and back explicitly.
"""

from keel.infrastructure.database.models.api_clients import ApiClientRecord, api_clients_table
from keel.infrastructure.database.models.audit_events import AuditEventRecord, audit_events_table
from keel.infrastructure.database.models.base import Base
from keel.infrastructure.database.models.email_deliveries import EmailDeliveryRecord, email_deliveries_table
from keel.infrastructure.database.models.jobs import JobChunkRecord, JobRecord, job_chunks_table, jobs_table
from keel.infrastructure.database.models.one_time_tokens import OneTimeTokenRecord, one_time_tokens_table
from keel.infrastructure.database.models.outbox import OutboxRecord, outbox_table
from keel.infrastructure.database.models.refresh_tokens import RefreshTokenRecord, refresh_tokens_table
from keel.infrastructure.database.models.tenants import TenantRecord, tenants_table
from keel.infrastructure.database.models.users import UserRecord, users_table

__all__ = [
    "ApiClientRecord",
    "AuditEventRecord",
    "Base",
    "EmailDeliveryRecord",
    "JobChunkRecord",
    "JobRecord",
    "OneTimeTokenRecord",
    "OutboxRecord",
    "RefreshTokenRecord",
    "TenantRecord",
    "UserRecord",
    "api_clients_table",
    "audit_events_table",
    "email_deliveries_table",
    "job_chunks_table",
    "jobs_table",
    "one_time_tokens_table",
    "outbox_table",
    "refresh_tokens_table",
    "tenants_table",
    "users_table",
]
