"""Version 1 of the public API, mounted under ``/api/v1``.

The app includes each feature router under ``PREFIX`` directly rather than through one ``/api/v1`` router: every
level of nesting is one more router FastAPI walks when it matches a request.
"""

from fastapi import APIRouter

from keel.presentation.api.v1 import api_clients, audit, auth, jobs, meta, partner, tenants, user_transfers, users

PREFIX = "/api/v1"
routers: tuple[APIRouter, ...] = (
    users.router,
    auth.router,
    tenants.router,
    api_clients.router,
    partner.router,
    meta.router,
    audit.router,
    user_transfers.router,
    jobs.router,
)

__all__ = ["PREFIX", "routers"]
