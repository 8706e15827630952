"""Version 1 of the public API, mounted under ``/api/v1``. Feature routers are included here."""

from fastapi import APIRouter

from keel.presentation.api.v1 import auth, meta, tenants, users

router = APIRouter(prefix="/api/v1")
router.include_router(meta.router)
router.include_router(tenants.router)
router.include_router(auth.router)
router.include_router(users.router)

__all__ = ["router"]
