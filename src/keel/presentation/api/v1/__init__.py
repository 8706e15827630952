"""Version 1 of the public API, mounted under ``/api/v1``. Feature routers are included here."""

from fastapi import APIRouter

from keel.presentation.api.v1 import meta

router = APIRouter(prefix="/api/v1")
router.include_router(meta.router)

__all__ = ["router"]
