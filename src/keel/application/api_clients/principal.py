"""An API client acting through a signed request: its tenant and the permissions every API client holds."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from keel.application.authorization import API_CLIENT_PERMISSIONS, Permission


@dataclass(frozen=True, slots=True)
class ApiClientPrincipal:
    client_id: UUID
    tenant_id: UUID

    @property
    def permissions(self) -> frozenset[Permission]:
        return API_CLIENT_PERMISSIONS
