"""What the ``keel jobs`` commands need beyond the API's use cases: acting as a tenant's user, and reading any job.

An operator with the service's settings (and so its database) acts in a tenant as one of its users — the one named by
email, or the tenant's first active owner — and with that user's rights: ``StartUserImport`` checks them as it does
for the API. Reading a job by id alone is for operators only; the API always scopes jobs to the caller's tenant.
"""

from __future__ import annotations

from uuid import UUID

from keel.application.jobs.job import Job, JobNotFound
from keel.application.unit_of_work import UnitOfWorkFactory
from keel.application.users.actor import Actor
from keel.application.users.query import UserQuery
from keel.domain.tenants import TenantNotFound, TenantSlug
from keel.domain.users import EmailAddress, Role, UserNotFound, UserStatus


class ActAsUser:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, tenant_slug: str, email: str | None = None) -> Actor:
        """The actor for ``email`` in the tenant (its first active owner without one); ``TenantNotFound`` or
        ``UserNotFound`` with a readable detail otherwise."""
        async with self._uow(read_only=True) as uow:
            tenant = await uow.tenants.get_by_slug(TenantSlug(tenant_slug))
            if tenant is None:
                raise TenantNotFound(f"No tenant {tenant_slug!r}.")
            if email is None:
                owners = await uow.users.find(tenant.id, UserQuery(role=Role.OWNER, status=UserStatus.ACTIVE), limit=1)
                user = owners[0] if owners else None
                missing = f"Tenant {tenant_slug!r} has no active owner."
            else:
                credentials = await uow.users.get_credentials(tenant.id, EmailAddress(email))
                user = credentials.user if credentials is not None else None
                missing = f"Tenant {tenant_slug!r} has no user {email!r}."
        if user is None:
            raise UserNotFound(missing)
        return Actor(user_id=user.id, tenant_id=tenant.id, roles=user.roles)


class GetAnyJob:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, job_id: UUID) -> Job:
        async with self._uow(read_only=True) as uow:
            job = await uow.jobs.get_any(job_id)
        if job is None:
            raise JobNotFound()
        return job
