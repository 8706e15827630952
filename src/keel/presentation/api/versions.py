"""The API's versions: their path prefixes, their deprecated routes, and one OpenAPI document per version.

``/openapi.json`` describes every version; ``/api/v1/openapi.json`` and ``/api/v2/openapi.json`` describe one each —
the same document narrowed to the version's paths and the schemas those paths reach (``version_document``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, Final

from fastapi import FastAPI, Request
from starlette.responses import JSONResponse

from keel.presentation.api import v1, v2
from keel.presentation.api.deprecation import Deprecation, Deprecations
from keel.settings import Settings

API_VERSIONS: Final[Mapping[str, str]] = MappingProxyType({"v1": v1.PREFIX, "v2": v2.PREFIX})
"""Version name -> path prefix, oldest first."""

V2_RELEASED: Final = datetime(2026, 11, 22, tzinfo=UTC)
"""When v2 appeared, and so when the v1 routes it replaces were deprecated."""

_SCHEMA_REF: Final = "#/components/schemas/"


def deprecations(settings: Settings) -> Deprecations:
    """The deprecated routes and their successors; sunsets come from the settings."""
    return {
        ("GET", f"{v1.PREFIX}/users"): Deprecation(
            deprecated_at=V2_RELEASED, sunset=settings.api.v1_users_list_sunset, successor=f"{v2.PREFIX}/users"
        ),
    }


def version_document(document: Mapping[str, Any], version: str) -> dict[str, Any]:
    """``document`` (the whole API's OpenAPI) narrowed to one version's paths and the component schemas they use."""
    if version not in API_VERSIONS:
        raise KeyError(f"unknown API version {version!r}; known: {', '.join(API_VERSIONS)}")
    prefix = API_VERSIONS[version]
    paths = {path: item for path, item in document["paths"].items() if path.startswith(f"{prefix}/")}
    components = dict(document.get("components", {}))
    schemas: Mapping[str, Any] = components.get("schemas", {})
    reached: set[str] = set()
    pending = set(_schema_refs(paths))
    while pending:
        name = pending.pop()
        if name in reached or name not in schemas:
            continue
        reached.add(name)
        pending.update(_schema_refs(schemas[name]))
    components["schemas"] = {name: schemas[name] for name in sorted(reached)}
    info = {**document["info"], "version": version.removeprefix("v")}
    return {**document, "info": info, "paths": paths, "components": components}


def _schema_refs(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith(_SCHEMA_REF):
                yield value.removeprefix(_SCHEMA_REF)
            else:
                yield from _schema_refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _schema_refs(item)


def install_version_documents(app: FastAPI) -> None:
    """Serve ``<prefix>/openapi.json`` for every version (outside the documents themselves)."""
    for version, prefix in API_VERSIONS.items():

        async def document(request: Request, version: str = version) -> JSONResponse:
            return JSONResponse(version_document(request.app.openapi(), version))

        app.add_api_route(f"{prefix}/openapi.json", document, methods=["GET"], include_in_schema=False)
