"""HTTP routers. Versioned API routers live in ``keel.presentation.api.v1`` (and later versions)."""
