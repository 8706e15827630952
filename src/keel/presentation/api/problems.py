"""RFC 9457 problem details: the one place where errors become HTTP.

Domain and application errors carry no HTTP; :data:`ERROR_STATUS` maps each family to a status. FastAPI's own 422
and Starlette's HTTP errors are rendered in the same shape. Unexpected exceptions become a 500 problem without
internals (see ``middleware.request_context``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from keel.application.errors import (
    ApplicationError,
    AuthenticationRequired,
    DependencyUnavailable,
    PermissionDenied,
    TooManyRequests,
)
from keel.application.jobs import ImportFileTooLarge
from keel.application.pagination import InvalidCursor
from keel.domain.errors import Conflict, DomainError, InvariantViolated, NotFound, VersionConflict
from keel.presentation.api.etags import PreconditionFailed

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:keel:problem:"

# Most specific class first is not needed: the lookup walks each error's MRO.
ERROR_STATUS: Mapping[type[Exception], HTTPStatus] = {
    InvalidCursor: HTTPStatus.BAD_REQUEST,
    ImportFileTooLarge: HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
    PreconditionFailed: HTTPStatus.PRECONDITION_FAILED,
    NotFound: HTTPStatus.NOT_FOUND,
    Conflict: HTTPStatus.CONFLICT,
    VersionConflict: HTTPStatus.CONFLICT,
    InvariantViolated: HTTPStatus.UNPROCESSABLE_ENTITY,
    DomainError: HTTPStatus.BAD_REQUEST,
    AuthenticationRequired: HTTPStatus.UNAUTHORIZED,
    PermissionDenied: HTTPStatus.FORBIDDEN,
    TooManyRequests: HTTPStatus.TOO_MANY_REQUESTS,
    DependencyUnavailable: HTTPStatus.SERVICE_UNAVAILABLE,
    ApplicationError: HTTPStatus.BAD_REQUEST,
}


class ProblemError(BaseModel):
    """One invalid input. Exactly one of ``pointer``/``parameter``/``header`` says where it is."""

    detail: str
    code: str
    pointer: str | None = Field(default=None, description="JSON pointer into the request body.")
    parameter: str | None = Field(default=None, description="Name of the query or path parameter.")
    header: str | None = Field(default=None, description="Name of the request header.")


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str = Field(description="URI identifying the kind of problem.")
    title: str
    status: int
    detail: str | None = None
    instance: str | None = Field(default=None, description="The request path the problem occurred on.")
    code: str = Field(description="Stable machine-readable code, e.g. `not_found`.")
    field: str | None = Field(default=None, description="The input field the problem is about, when there is one.")
    request_id: str | None = None
    errors: list[ProblemError] | None = Field(default=None, description="Present on validation problems.")


def status_for(error: Exception) -> HTTPStatus:
    for cls in type(error).__mro__:
        if cls in ERROR_STATUS:
            return ERROR_STATUS[cls]
    return HTTPStatus.INTERNAL_SERVER_ERROR


def problem_type(code: str) -> str:
    return f"{PROBLEM_TYPE_PREFIX}{code}"


def build_problem(
    request: Request | None,
    status: HTTPStatus,
    *,
    code: str,
    detail: str | None,
    errors: Sequence[ProblemError] | None = None,
    title: str | None = None,
    field: str | None = None,
) -> Problem:
    request_id = getattr(request.state, "request_id", None) if request is not None else None
    return Problem(
        type=problem_type(code),
        title=title or status.phrase,
        status=int(status),
        detail=detail,
        instance=request.url.path if request is not None else None,
        code=code,
        request_id=request_id,
        field=field,
        errors=list(errors) if errors is not None else None,
    )


def problem_response(problem: Problem, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        problem.model_dump(mode="json", exclude_none=True),
        status_code=problem.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=dict(headers or {}),
    )


async def _known_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError | ApplicationError)
    status = status_for(error)
    if isinstance(error, VersionConflict) and request.headers.get("if-match") is not None:
        status = HTTPStatus.PRECONDITION_FAILED  # the caller's If-Match named a version that is no longer current
    headers: dict[str, str] = {}
    if isinstance(error, DependencyUnavailable | TooManyRequests):
        headers["Retry-After"] = str(error.retry_after_seconds)
    if isinstance(error, AuthenticationRequired):
        headers["WWW-Authenticate"] = error.challenge
    field = error.context.get("field") if isinstance(error, DomainError) else None
    problem = build_problem(request, status, code=error.code, detail=error.detail, field=str(field) if field else None)
    return problem_response(problem, headers)


_HTTP_CODES: Mapping[int, str] = {HTTPStatus.REQUEST_ENTITY_TOO_LARGE: "content_too_large"}
"""Codes of HTTP errors whose status name is not the code clients see (RFC 9110 renamed 413 Content Too Large)."""


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    status = HTTPStatus(error.status_code)
    code = _HTTP_CODES.get(status, status.name.lower())
    detail = error.detail if isinstance(error.detail, str) and error.detail != status.phrase else None
    problem = build_problem(request, status, code=code, detail=detail)
    return problem_response(problem, getattr(error, "headers", None))


async def _validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    errors = [_locate(item) for item in error.errors()]
    problem = build_problem(
        request,
        HTTPStatus.UNPROCESSABLE_ENTITY,
        code="validation_failed",
        title="Validation failed",
        detail=f"The request has {len(errors)} invalid value{'s' if len(errors) != 1 else ''}.",
        errors=errors,
    )
    return problem_response(problem)


def _locate(item: Mapping[str, Any]) -> ProblemError:
    location: tuple[Any, ...] = tuple(item.get("loc", ()))
    detail = str(item.get("msg", "Invalid value"))
    code = str(item.get("type", "invalid"))
    source, path = (location[0], location[1:]) if location else ("body", ())
    if source == "body":
        return ProblemError(detail=detail, code=code, pointer=json_pointer(path))
    if source == "header":
        return ProblemError(detail=detail, code=code, header=str(path[0]) if path else None)
    return ProblemError(detail=detail, code=code, parameter=".".join(str(p) for p in path) or None)


def json_pointer(path: Iterable[object]) -> str:
    """RFC 6901: ``("owner", "email")`` -> ``/owner/email``; ``~`` and ``/`` escaped."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _known_error)
    app.add_exception_handler(ApplicationError, _known_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries declaring that a route answers these statuses with a problem document."""
    return {
        status: {
            "model": Problem,
            "description": HTTPStatus(status).phrase,
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }
