"""Version 2 of the public API, mounted under ``/api/v2``: only what changed shape since v1 (see
``docs/explanation/api-versioning.md``). Feature routers are included under ``PREFIX`` directly, as in v1."""

from fastapi import APIRouter

from keel.presentation.api.v2 import users

PREFIX = "/api/v2"
routers: tuple[APIRouter, ...] = (users.router,)

__all__ = ["PREFIX", "routers"]
